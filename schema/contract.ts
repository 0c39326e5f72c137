import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';
import { fromPackageRoot } from '../common/package-root.ts';

/** Path of the contract every member state implements. */
export const MEMBER_SCHEMA_PATH: string = fromPackageRoot('schema', 'member.graphql');

/** The contract's SDL, read once. */
export const memberSchemaSdl: string = readFileSync(MEMBER_SCHEMA_PATH, 'utf8');

export const memberTypeDefs: DocumentNode = parse(memberSchemaSdl);
