import { parse, print } from 'graphql';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { composeFile, readRoverConfig } from '../gateway/compose.ts';
import { loadSupergraph, stripSecurityPurpose } from '../gateway/supergraph.ts';
import { CASEFILES_SDL, runCli } from './support/network.ts';

const folder = mkdtempSync(join(tmpdir(), 'hague-compose-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const MEMBER_SCHEMA = resolve('schema/member.graphql');

let n = 0;
function rover(text: string): string {
  const file = join(folder, `rover-${++n}.yaml`);
  writeFileSync(file, text);
  return file;
}

const member = (extra = '') => `federation_version: =2.14.4
subgraphs:
  member:
    routing_url: http://127.0.0.1:4101/graphql
    schema:
      file: ${MEMBER_SCHEMA}
${extra}`;

describe('composition of rover.yaml', () => {
  it("composes the repository's rover.yaml into a supergraph the gateway accepts", () => {
    const composed = composeFile('rover.yaml');
    expect(composed.supergraphSdl).toMatch(/@join__graph\(name: "member", url: "http:\/\/127\.0\.0\.1:4101\/graphql"\)/);
    expect(composed.supergraphSdl).toMatch(/memberStates: \[MemberState!\]/);
    expect(composed.hints.join('\n')).toMatch(/UNUSED_ENUM_TYPE: Enum type "DisclosureTier"/);
    expect(composed.versionNote).toBeUndefined();
    expect(readRoverConfig('rover.yaml').subgraphs.map((s) => s.name)).toEqual(['member']);
  });

  it('composes an extra ordinary subgraph given inline (sdl:) next to member', () => {
    const file = rover(
      member(`  casefiles:
    routing_url: http://127.0.0.1:4200/graphql
    schema:
      sdl: |
${CASEFILES_SDL.split('\n')
  .map((l) => `        ${l}`)
  .join('\n')}
`),
    );
    const { supergraphSdl } = composeFile(file);
    expect(supergraphSdl).toMatch(/@join__graph\(name: "casefiles"/);
    expect(supergraphSdl).toMatch(/casefiles: \[Casefile!\]! @join__field\(graph: CASEFILES\)/);
  });

  it.each([
    ['a missing file', null, /rover-missing\.yaml: cannot read the supergraph config \(no such file\)/],
    ['invalid YAML', 'federation_version: =2.14.4\nsubgraphs: [oops\n', /rover-\d+\.yaml:\d+: not valid YAML/],
    [
      'no federation_version',
      'subgraphs:\n  member:\n    routing_url: http://x/graphql\n    schema: { file: x.graphql }\n',
      /rover-\d+\.yaml:1: federation_version: missing/,
    ],
    ['Federation 1', member().replace('=2.14.4', '=1.1.0'), /rover-\d+\.yaml:1: federation_version: '=1\.1\.0' is not a Federation 2 version/],
    [
      'a misspelt key',
      member().replace('routing_url', 'routingUrl'),
      /rover-\d+\.yaml:4: subgraphs\.member\.routingUrl: unknown key; allowed here: routing_url, schema/,
    ],
    [
      'a bad routing_url',
      member().replace('http://127.0.0.1:4101/graphql', 'not a url'),
      /rover-\d+\.yaml:4: subgraphs\.member\.routing_url: 'not a url' is not an http\(s\) URL/,
    ],
    [
      'a missing schema file',
      member().replace(MEMBER_SCHEMA, './nope.graphql'),
      /subgraphs\.member\.schema\.file: '\.\/nope\.graphql' cannot be read \(no such file: .*nope\.graphql\)/,
    ],
    [
      'introspection',
      member().replace(`file: ${MEMBER_SCHEMA}`, 'subgraph_url: http://127.0.0.1:4101/graphql'),
      /subgraphs\.member\.schema: only file: and sdl: are supported/,
    ],
    ['no subgraphs', 'federation_version: =2.14.4\nsubgraphs: {}\n', /rover-\d+\.yaml:2: subgraphs: \{\} is not a map of subgraphs/],
  ])('rejects %s, naming file, line, key and value', (_what, text, message) => {
    const file = text === null ? join(folder, 'rover-missing.yaml') : rover(text);
    expect(() => composeFile(file)).toThrow(message);
  });

  it('reports a subgraph syntax error with the schema file, line and column', () => {
    const bad = join(folder, 'bad.graphql');
    writeFileSync(bad, 'type Query {\n  x: Int\n  y: \n}\n');
    expect(() => composeFile(rover(member().replace(MEMBER_SCHEMA, bad)))).toThrow(/bad\.graphql:4:1: subgraph member: Syntax Error/);
  });

  it('reports composition errors with the subgraphs involved, the code and the message', () => {
    const file = rover(
      member(`  casefiles:
    routing_url: http://127.0.0.1:4200/graphql
    schema:
      sdl: |
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
        enum MemberState { NL BE }
        type Person @key(fields: "memberState id") { memberState: MemberState! id: ID! note: String }
        type Query { note: String }
`),
    );
    let message = '';
    try {
      composeFile(file);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/rover-\d+\.yaml: composition failed with \d+ errors:/);
    expect(message).toMatch(/\[casefiles, member\] ENUM_VALUE_MISMATCH: Enum type "MemberState" .* value "AT" is not defined in all the subgraphs/);
    expect(message).toMatch(/\.\.\. and 22 more ENUM_VALUE_MISMATCH errors like these\n\s+hint: .*must copy the whole MemberState enum/);
  });

  it('hands @apollo/gateway a supergraph without the for: SECURITY purpose, and nothing else changed', () => {
    const sdl = '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)';
    const supergraph = `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) ${sdl} { query: Query }\ntype Query { a: Int }`;
    const stripped = stripSecurityPurpose(supergraph);
    expect(stripped).not.toMatch(/SECURITY/);
    expect(stripped).toMatch(/for: EXECUTION/);
    expect(stripped).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/authenticated\/v0\.1"\)/);
    // The contract itself uses @authenticated, @requiresScopes and @policy: only their purpose goes.
    const contract = composeFile('rover.yaml').supergraphSdl;
    expect(contract).toMatch(/for: SECURITY/);
    expect(print(parse(stripSecurityPurpose(contract)))).toBe(print(parse(contract.replace(/, for: SECURITY/g, ''))));
  });

  it('refuses a --supergraph file that is not a supergraph', () => {
    const file = join(folder, 'not-a-supergraph.graphql');
    writeFileSync(file, 'type Query { a: Int }');
    expect(() => loadSupergraph({ supergraph: file })).toThrow(/not a supergraph \(no join spec\)/);
    expect(() => loadSupergraph({ supergraph: join(folder, 'none.graphql') })).toThrow(/no such file; run hague compose first/);
  });
});

describe('hague compose', () => {
  it('writes the supergraph and exits 0', async () => {
    const out = join(folder, 'supergraph.graphql');
    const result = await runCli(['compose', '--config', 'rover.yaml', '--out', out, '--quiet']);
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(`${composeFile('rover.yaml').supergraphSdl}\n`);
  });

  it('prints composition errors with subgraph and hints, exit code 2', async () => {
    const file = rover(
      member(`  casefiles:
    routing_url: http://127.0.0.1:4200/graphql
    schema:
      sdl: |
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
        enum MemberState { NL BE }
        type Person @key(fields: "memberState id") { memberState: MemberState! id: ID! }
        type Query { note: String }
`),
    );
    const result = await runCli(['compose', '--config', file, '--out', join(folder, 'never.graphql')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/hague: .*composition failed/);
    expect(result.stderr).toMatch(/\[casefiles, member\] ENUM_VALUE_MISMATCH/);
    expect(result.stderr).toMatch(/hint: an enum used as an argument must have the same values in every subgraph/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
