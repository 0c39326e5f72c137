#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader: no build step, no build output in the repo.
import { register } from 'tsx/esm/api';

register();
await import('../cli/hague.ts');
