import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';

/** Path of the contract every member state implements. */
export const MEMBER_SCHEMA_PATH = new URL('./member.graphql', import.meta.url);

/** The contract's SDL, read once. */
export const memberSchemaSdl: string = readFileSync(MEMBER_SCHEMA_PATH, 'utf8');

export const memberTypeDefs: DocumentNode = parse(memberSchemaSdl);
