import { readFileSync } from 'node:fs';
import { Kind, OperationTypeNode, parse, print, type DirectiveNode, type DocumentNode, type TypeNode } from 'graphql';
import { composeFile } from './compose.ts';
import { ConfigError } from '../common/config-error.ts';

export interface LoadedSupergraph {
  sdl: string;
  /** Where it came from, for logs: the supergraph file or the rover config. */
  from: string;
  hints: string[];
}

/** Reads a composed supergraph file, or composes a rover.yaml in-process (no generated file needed). */
export function loadSupergraph(source: { supergraph?: string; config?: string }): LoadedSupergraph {
  if (source.supergraph && source.config) throw new ConfigError('give --supergraph or --config, not both');
  if (source.config) {
    const composed = composeFile(source.config);
    return { sdl: composed.supergraphSdl, from: source.config, hints: composed.versionNote ? [composed.versionNote, ...composed.hints] : composed.hints };
  }
  if (!source.supergraph) throw new ConfigError('no supergraph: give --supergraph supergraph.graphql or --config rover.yaml');
  let sdl: string;
  try {
    sdl = readFileSync(source.supergraph, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `${source.supergraph}: cannot read the supergraph (${code === 'ENOENT' ? 'no such file; run hague compose first' : (error as Error).message})`,
    );
  }
  if (!/specs\.apollo\.dev\/join\//.test(sdl)) {
    throw new ConfigError(`${source.supergraph}: not a supergraph (no join spec); compose one with hague compose, or pass --config rover.yaml`);
  }
  return { sdl, from: source.supergraph, hints: [] };
}

/**
 * @apollo/gateway refuses a supergraph whose @link has `for: SECURITY` (UNSUPPORTED_LINKED_FEATURE),
 * which composition emits as soon as the contract uses @authenticated / @requiresScopes / @policy.
 * The gateway gets a copy without that purpose; enforcing those directives is then the gateway's own
 * job (the authorization hook reads them from the original supergraph).
 */
export function stripSecurityPurpose(sdl: string): string {
  if (!/for:\s*SECURITY/.test(sdl)) return sdl;
  const doc = parse(sdl);
  const strip = (directives: readonly DirectiveNode[] | undefined) =>
    directives?.map((d) =>
      d.name.value !== 'link'
        ? d
        : {
            ...d,
            arguments: d.arguments?.filter((a) => !(a.name.value === 'for' && a.value.kind === Kind.ENUM && a.value.value === 'SECURITY')),
          },
    );
  const definitions = doc.definitions.map((def) =>
    def.kind === Kind.SCHEMA_DEFINITION || def.kind === Kind.SCHEMA_EXTENSION ? { ...def, directives: strip(def.directives) } : def,
  );
  return print({ ...doc, definitions } as DocumentNode);
}

/** Root query fields returning lists, by field name: the fan-out concatenates them (others: first non-null). */
export function listRootFields(sdl: string): Set<string> {
  const doc = parse(sdl);
  let queryType = 'Query';
  for (const def of doc.definitions) {
    if (def.kind === Kind.SCHEMA_DEFINITION) {
      const op = def.operationTypes.find((o) => o.operation === OperationTypeNode.QUERY);
      if (op) queryType = op.type.name.value;
    }
  }
  const lists = new Set<string>();
  for (const def of doc.definitions) {
    if ((def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) && def.name.value === queryType) {
      for (const field of def.fields ?? []) if (isList(field.type)) lists.add(field.name.value);
    }
  }
  return lists;
}

function isList(type: TypeNode): boolean {
  return type.kind === Kind.LIST_TYPE || (type.kind === Kind.NON_NULL_TYPE && type.type.kind === Kind.LIST_TYPE);
}

/** The subgraphs a supergraph joins, with their routing URLs (the join__Graph enum), in declaration order. */
export function supergraphSubgraphs(sdl: string): Array<{ name: string; url: string }> {
  const subgraphs: Array<{ name: string; url: string }> = [];
  for (const def of parse(sdl).definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = (name: string) => {
        const node = graph?.arguments?.find((a) => a.name.value === name)?.value;
        return node?.kind === Kind.STRING ? node.value : '';
      };
      subgraphs.push({ name: arg('name') || value.name.value.toLowerCase(), url: arg('url') });
    }
  }
  return subgraphs;
}
