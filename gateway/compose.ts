import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { ConfigError } from '../common/config-error.ts';
import { codeOf } from '../common/errors.ts';
import { YamlFile, isHttpUrl, isPlainObject } from '../common/yaml-file.ts';

/** The @apollo/composition we compose with; rover.yaml pins the same version, so the result matches rover's. */
export const COMPOSITION_VERSION: string = (createRequire(import.meta.url)('@apollo/composition/package.json') as { version: string }).version;

export interface SubgraphConfig {
  name: string;
  routingUrl: string;
  /** Where the SDL came from, for messages: a file path or `rover.yaml (inline sdl)`. */
  source: string;
  sdl: string;
}

export interface RoverConfig {
  file: string;
  federationVersion: string;
  subgraphs: SubgraphConfig[];
}

export interface Composed {
  supergraphSdl: string;
  /** Composition hints (warnings), one line each: `[subgraph] CODE: message`. */
  hints: string[];
  /** Set when rover.yaml pins another federation version than the one installed. */
  versionNote?: string;
}

const TOP_KEYS = ['federation_version', 'subgraphs'] as const;
const SUBGRAPH_KEYS = ['routing_url', 'schema'] as const;
const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Reads and validates a rover supergraph config, loading every subgraph's SDL from disk. */
export function readRoverConfig(file: string): RoverConfig {
  const y = YamlFile.read(file, 'supergraph config');
  const root = y.data;
  if (!isPlainObject(root)) throw y.bad([], root, 'is not a supergraph config; expected federation_version: and subgraphs:');
  y.onlyKeys([], root, TOP_KEYS);

  const version = root.federation_version;
  if (version === undefined) throw y.error(['federation_version'], 'missing; expected e.g. =2.14.4 (Federation 2)');
  if (!(typeof version === 'string' || typeof version === 'number') || !/^=?2(\.\d+){0,2}$/.test(String(version))) {
    throw y.bad(['federation_version'], version, 'is not a Federation 2 version; expected e.g. =2.14.4 or 2');
  }

  if (!isPlainObject(root.subgraphs) || Object.keys(root.subgraphs).length === 0) {
    throw y.bad(
      ['subgraphs'],
      root.subgraphs,
      'is not a map of subgraphs; expected e.g. member: { routing_url: ..., schema: { file: ./schema/member.graphql } }',
    );
  }
  const base = dirname(resolve(file));
  const subgraphs = Object.entries(root.subgraphs).map(([name, entry]) => {
    const at = ['subgraphs', name];
    if (!NAME.test(name)) throw y.bad(at, name, 'is not a subgraph name (letters, digits, _ and -, starting with a letter)');
    if (!isPlainObject(entry)) throw y.bad(at, entry, 'is not a subgraph; expected routing_url: and schema:');
    y.onlyKeys(at, entry, SUBGRAPH_KEYS);
    const url = entry.routing_url;
    if (url === undefined) throw y.error([...at, 'routing_url'], 'missing; the URL the gateway calls for this subgraph');
    if (typeof url !== 'string' || !isHttpUrl(url)) throw y.bad([...at, 'routing_url'], url, 'is not an http(s) URL');
    const schema = entry.schema;
    if (!isPlainObject(schema)) throw y.bad([...at, 'schema'], schema, 'is not a schema source; expected file: ./path/to/schema.graphql or sdl: |');
    if ('subgraph_url' in schema || 'graphref' in schema) {
      throw y.error([...at, 'schema'], 'only file: and sdl: are supported; Hague composes offline (no introspection, no GraphOS)');
    }
    y.onlyKeys([...at, 'schema'], schema, ['file', 'sdl']);
    if (typeof schema.sdl === 'string') {
      return { name, routingUrl: url, source: `${file} (subgraphs.${name}.schema.sdl)`, sdl: schema.sdl };
    }
    if (typeof schema.file !== 'string' || schema.file.trim() === '') {
      throw y.bad([...at, 'schema', 'file'], schema.file, 'is not a file path');
    }
    const path = resolve(base, schema.file);
    let sdl: string;
    try {
      sdl = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw y.bad([...at, 'schema', 'file'], schema.file, `cannot be read (${code === 'ENOENT' ? `no such file: ${path}` : (error as Error).message})`);
    }
    return { name, routingUrl: url, source: path, sdl };
  });
  return { file, federationVersion: String(version), subgraphs };
}

/**
 * Composes subgraphs into a supergraph with @apollo/composition (what rover runs). Failures throw
 * a ConfigError listing every error with its subgraph(s) and code, plus the hints, rover-style.
 */
export function composeSupergraph(config: RoverConfig): Composed {
  const services = config.subgraphs.map((s) => ({ name: s.name, url: s.routingUrl, typeDefs: parseSdl(s) }));
  const result = composeServices(services);
  const hints = (result.hints ?? []).map((h) => line(subgraphsOf(h.nodes), h.definition.code, h.message));
  if (result.errors || !result.supergraphSdl) {
    const errors = (result.errors ?? []).map((e) => ({
      code: codeOf(e, 'COMPOSITION_ERROR'),
      subgraphs: subgraphsOf(e.nodes),
      message: e.message,
    }));
    // One value missing from an enum yields one error per value: show a few of each kind, then the fix.
    const groups = new Map<string, typeof errors>();
    for (const e of errors) {
      const key = `${e.code} ${e.subgraphs.join(',')}`;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    const lines: string[] = [];
    for (const group of groups.values()) {
      for (const e of group.slice(0, 3)) lines.push(`  ${line(e.subgraphs, e.code, e.message)}`);
      if (group.length > 3) lines.push(`  ... and ${group.length - 3} more ${group[0].code} errors like these`);
      lines.push(`    hint: ${FIX_HINTS[group[0].code] ?? `see the Apollo Federation composition error reference for ${group[0].code}`}`);
    }
    const hintLines = hints.length ? ['composition hints:', ...hints.slice(0, 10).map((h) => `  ${h}`)] : [];
    throw new ConfigError(
      [`${config.file}: composition failed with ${errors.length} error${errors.length === 1 ? '' : 's'}:`, ...lines, ...hintLines].join('\n'),
    );
  }
  const pinned = config.federationVersion.replace(/^=/, '');
  const versionNote =
    /^\d+\.\d+\.\d+$/.test(pinned) && pinned !== COMPOSITION_VERSION
      ? `${config.file}: federation_version ${config.federationVersion} asked, composed with the installed ${COMPOSITION_VERSION}`
      : undefined;
  return { supergraphSdl: result.supergraphSdl, hints, versionNote };
}

/** What to do about the composition errors a subgraph author meets most often here. */
const FIX_HINTS: Record<string, string> = {
  ENUM_VALUE_MISMATCH:
    'an enum used as an argument must have the same values in every subgraph; a subgraph keyed on `memberState id` must copy the whole MemberState enum of schema/member.graphql',
  FIELD_TYPE_MISMATCH: 'a field defined in several subgraphs needs compatible types in each',
  INVALID_FIELD_SHARING: 'a field resolved by several subgraphs must be @shareable in each (key fields are shareable already)',
  KEY_INVALID_FIELDS: 'Person and Organisation are keyed by @key(fields: "memberState id"); reference them with exactly these fields',
  KEY_FIELDS_SELECT_INVALID_TYPE: 'key fields must be scalars or enums that exist on the type',
  SATISFIABILITY_ERROR: 'a field cannot be reached from any query; add the entity key or resolver the planner needs to join it',
  INVALID_GRAPHQL: 'fix the subgraph SDL at the place named in the message',
  TYPE_KIND_MISMATCH: 'a type name means one kind of type (object, enum, input, ...) in every subgraph',
  EXTERNAL_MISSING_ON_BASE: 'an @external field must be defined (not external) by some other subgraph',
};

/** readRoverConfig + composeSupergraph: `hague compose`, `hague gateway --config` and `hague dev` use this. */
export function composeFile(file: string): Composed {
  return composeSupergraph(readRoverConfig(file));
}

function parseSdl(subgraph: SubgraphConfig): DocumentNode {
  try {
    return parse(subgraph.sdl);
  } catch (error) {
    if (error instanceof GraphQLError) {
      const at = error.locations?.[0];
      throw new ConfigError(`${subgraph.source}${at ? `:${at.line}:${at.column}` : ''}: subgraph ${subgraph.name}: ${error.message}`);
    }
    throw error;
  }
}

function subgraphsOf(nodes: readonly unknown[] | undefined): string[] {
  const names = new Set<string>();
  for (const node of nodes ?? []) {
    const name = (node as { subgraph?: unknown }).subgraph;
    if (typeof name === 'string') names.add(name);
  }
  return [...names];
}

function line(subgraphs: string[], code: string, message: string): string {
  return `${subgraphs.length ? `[${subgraphs.join(', ')}] ` : ''}${code}: ${message}`;
}
