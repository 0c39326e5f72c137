import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Esbuild from 'esbuild';
import { fromPackageRoot } from '../../common/package-root.ts';

/**
 * The explorer's results workspace (gateway/explorer/workspace/, TypeScript and the view libraries)
 * bundled by esbuild into one IIFE script, global `HagueWorkspace`, and one stylesheet: no module
 * loader, no eval, no worker, so the page's CSP stays `script-src 'self'`.
 *
 * `npm run build` (bin/build.js) writes them to dist/explorer/; a gateway started from the sources
 * (tests, `npm start` without a build) bundles them in memory once instead, whenever dist/explorer/
 * is missing or older than a workspace source.
 */

export const WORKSPACE_SOURCES = fromPackageRoot('gateway', 'explorer', 'workspace');
export const WORKSPACE_DIST = fromPackageRoot('dist', 'explorer');
const ENTRY = join(WORKSPACE_SOURCES, 'index.ts');

export interface WorkspaceBundle {
  'workspace.js': Buffer;
  'workspace.css': Buffer;
}

/** esbuild, the one tsx depends on (tsx is a dependency: installed wherever the gateway is). */
function loadEsbuild(): typeof Esbuild {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve('tsx/package.json'))('esbuild') as typeof Esbuild;
}

function options(write: boolean): Esbuild.BuildOptions {
  return {
    absWorkingDir: fromPackageRoot(),
    entryPoints: { workspace: ENTRY },
    outdir: WORKSPACE_DIST,
    bundle: true,
    format: 'iife',
    globalName: 'HagueWorkspace',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    legalComments: 'eof',
    // Only what the page needs: no source maps served, nothing named after this machine's paths.
    sourcemap: false,
    charset: 'utf8',
    write,
    logLevel: 'silent',
  };
}

/** Bundles the workspace; `write` puts the files into dist/explorer/ (bin/build.js). */
export async function buildWorkspace(write: boolean): Promise<WorkspaceBundle> {
  const result = await loadEsbuild().build(options(write));
  if (write) return readDist();
  const files = new Map((result.outputFiles ?? []).map((file) => [file.path.slice(file.path.lastIndexOf('/') + 1), Buffer.from(file.contents)]));
  const js = files.get('workspace.js');
  const css = files.get('workspace.css') ?? Buffer.alloc(0);
  if (!js) throw new Error('explorer workspace: esbuild wrote no workspace.js');
  return { 'workspace.js': js, 'workspace.css': css };
}

function readDist(): WorkspaceBundle {
  return { 'workspace.js': readFileSync(join(WORKSPACE_DIST, 'workspace.js')), 'workspace.css': readFileSync(join(WORKSPACE_DIST, 'workspace.css')) };
}

/** The newest modification time among the workspace's sources and the lockfile (a changed library). */
function newestSource(dir = WORKSPACE_SOURCES): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  if (dir === WORKSPACE_SOURCES) {
    for (const file of ['package-lock.json', 'package.json']) {
      try {
        newest = Math.max(newest, statSync(fromPackageRoot(file)).mtimeMs);
      } catch {
        /* not there: nothing to compare */
      }
    }
  }
  return newest;
}

/** True when dist/explorer/ holds a bundle at least as new as every workspace source. */
export function distIsFresh(): boolean {
  try {
    const built = Math.min(statSync(join(WORKSPACE_DIST, 'workspace.js')).mtimeMs, statSync(join(WORKSPACE_DIST, 'workspace.css')).mtimeMs);
    return built >= newestSource();
  } catch {
    return false;
  }
}

let inMemory: Promise<WorkspaceBundle> | undefined;

/** The workspace bundle the gateway serves: dist/explorer/ when fresh, else bundled in memory once per process. */
export async function workspaceBundle(): Promise<WorkspaceBundle> {
  if (distIsFresh()) return readDist();
  inMemory ??= buildWorkspace(false).catch((error: unknown) => {
    inMemory = undefined;
    throw error;
  });
  return inMemory;
}
