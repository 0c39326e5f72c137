import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMembersConfig, parseMembersConfig } from '../gateway/members-config.ts';
import { CASEFILES_SDL, insertPersons, postQuery, runCli, startCasefiles, startCli } from './support/network.ts';
import { startMember, type RunningMember } from '../subgraphs/member/server.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { devIssuer, devKeyName, issueDevToken } from '../common/dev-identity.ts';
import { openPolicy } from './support/network.ts';

/**
 * `hague gateway` as an operator runs it: config files on disk, a child process, a supergraph with
 * an extra ordinary subgraph; and the start-up failures a bad config must produce.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-gw-cli-'));
const write = (name: string, text: string) => {
  const file = join(folder, name);
  writeFileSync(file, text);
  return file;
};

describe('config/members.yaml', () => {
  it('describes the demo network: NL BE FR DE ES on https://127.0.0.1:4101..4105 over mutual TLS, 2 s timeouts', () => {
    const config = loadMembersConfig('config/members.yaml');
    expect(config.members.map((m) => [m.code, m.url, m.timeoutMs])).toEqual([
      ['NL', 'https://127.0.0.1:4101/graphql', 2000],
      ['BE', 'https://127.0.0.1:4102/graphql', 2000],
      ['FR', 'https://127.0.0.1:4103/graphql', 2000],
      ['DE', 'https://127.0.0.1:4104/graphql', 2000],
      ['ES', 'https://127.0.0.1:4105/graphql', 2000],
    ]);
    expect(config.gateway).toEqual({
      port: 4000,
      strictAuthorization: false,
      corsOrigins: [],
      rateLimit: { perCaller: 300, concurrentPerCaller: 4, refusedPerAddress: 1200, windowMs: 60_000 },
      circuitBreaker: { failures: 5, halfOpenAfterMs: 5000 },
      maxAnswerBytes: 16 * 1024 * 1024,
      maxInFlightAnswerBytes: 64 * 1024 * 1024,
      jwks: { maxAgeMs: 600_000, minRefreshIntervalMs: 10_000, timeoutMs: 5000 },
      persistedQueries: { ttlMs: 3_600_000 },
      tls: { certFile: '.hague/keys/tls/gateway-client.pem', keyFile: '.hague/keys/tls/gateway-client.key' },
    });
    // Mutual TLS to every demo state, with the dev CA `hague dev` mints.
    expect(new Set(config.members.map((m) => m.tls?.caFile))).toEqual(new Set(['.hague/keys/tls/network-ca.pem']));
  });

  it('fills defaults and keeps the permission fields', () => {
    const config = parseMembersConfig(`members:
  - code: nl
    url: http://nl.hague.example/graphql
    issuer: https://idp.nl.example
    jwksUrl: https://idp.nl.example/.well-known/jwks.json
  - code: BE
    url: http://be.hague.example/graphql
    timeoutMs: 5000
    publicKeys:
      - { kty: EC, crv: P-256, x: abc, y: def }
`);
    expect(config.members).toEqual([
      {
        code: 'NL',
        name: 'Netherlands',
        url: 'http://nl.hague.example/graphql',
        timeoutMs: 2000,
        issuer: 'https://idp.nl.example',
        jwksUrl: 'https://idp.nl.example/.well-known/jwks.json',
      },
      { code: 'BE', name: 'Belgium', url: 'http://be.hague.example/graphql', timeoutMs: 5000, publicKeys: [{ kty: 'EC', crv: 'P-256', x: 'abc', y: 'def' }] },
    ]);
  });

  const ok = '  - code: NL\n    url: http://127.0.0.1:4101/graphql\n';
  it.each([
    [
      'an unknown state',
      `members:\n${ok}  - code: XX\n    url: http://127.0.0.1:4102/graphql\n`,
      /members\.yaml:4: members\[1\]\.code: 'XX' is not a member state; use one of AT BE/,
    ],
    ['a bad url', 'members:\n  - code: NL\n    url: ftp://nl\n', /members\.yaml:3: members\[0\]\.url: 'ftp:\/\/nl' is not an http\(s\) URL/],
    ['a missing url', 'members:\n  - code: NL\n', /members\.yaml:2: members\[0\]\.url: missing/],
    ['a bad timeout', `members:\n${ok}    timeoutMs: 2s\n`, /members\.yaml:4: members\[0\]\.timeoutMs: '2s' is not a timeout in milliseconds/],
    ['a misspelt key', `members:\n${ok}    timeout: 2000\n`, /members\.yaml:4: members\[0\]\.timeout: unknown key; allowed here: code, name, url, timeoutMs/],
    ['a state listed twice', `members:\n${ok}${ok.replace('4101', '4102')}`, /members\.yaml:4: members\[1\]\.code: 'NL' is listed twice \(also members\[0\]\)/],
    [
      'jwksUrl and publicKeys',
      `members:\n${ok}    jwksUrl: https://idp/jwks\n    publicKeys: [abc]\n`,
      /members\[0\]\.publicKeys: give jwksUrl or publicKeys, not both/,
    ],
    [
      'a bad key',
      `members:\n${ok}    publicKeys: [not-a-key]\n`,
      /members\[0\]\.publicKeys\[0\]: 'not-a-key' is not a PEM public key, a JWK \(a map with kty\) or \{ file: <path of a JWK file> \}/,
    ],
    ['a bad gateway port', `gateway:\n  port: 99999\nmembers:\n${ok}`, /members\.yaml:2: gateway\.port: 99999 is not a port number/],
    [
      'a bad CORS origin',
      `gateway:\n  corsOrigins: [https://a.example/app]\nmembers:\n${ok}`,
      /gateway\.corsOrigins\[0\]: 'https:\/\/a\.example\/app' is not an origin/,
    ],
    ['no members', 'gateway:\n  port: 4000\n', /members\.yaml:1: members: missing; expected a list of member states/],
    ['broken YAML', 'members:\n  - code: NL\n   url: x\n', /members\.yaml:\d+: not valid YAML/],
  ])('rejects %s, naming file, line, key and value', (_what, text, message) => {
    expect(() => parseMembersConfig(text, 'members.yaml')).toThrow(message);
  });
});

describe('hague gateway', () => {
  const members: RunningMember[] = [];
  let casefiles: Awaited<ReturnType<typeof startCasefiles>>;
  let membersYaml: string;
  let roverYaml: string;
  let headers: Record<string, string>;
  const keysDir = join(folder, 'keys');

  beforeAll(async () => {
    const gatewayKey = await ensureKeyPair(keysDir, 'gateway');
    await ensureKeyPair(keysDir, devKeyName('NL'));
    headers = {
      authorization: `Bearer ${await issueDevToken({ state: 'NL', roles: ['analyst'], clearance: 'SECRET', keysDir })}`,
      'x-hague-purpose': 'counter-terrorism',
    };
    for (const [state, persons] of [
      ['NL', [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }]],
      ['BE', [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }]],
    ] as const) {
      const member = await startMember({ state, database: join(folder, `${state}.db`), gatewayPublicKey: gatewayKey.publicJwk, policy: openPolicy(state) });
      await insertPersons(member.store, [...persons]);
      members.push(member);
    }
    casefiles = await startCasefiles([
      {
        reference: 'CF-1',
        title: 'Brussels cell',
        subjects: [
          { memberState: 'BE', id: 'BE-7' },
          { memberState: 'NL', id: 'NL-1' },
        ],
      },
    ]);
    // NL's callers sign in with NL's dev identity provider; BE has none configured here.
    membersYaml = write(
      'members.yaml',
      `members:\n${members
        .map(
          (m, i) =>
            `  - code: ${['NL', 'BE'][i]}\n    url: ${m.url}\n` +
            (i === 0 ? `    issuer: ${devIssuer('NL')}\n    publicKeys:\n      - file: ${join(keysDir, `${devKeyName('NL')}.jwk`)}\n` : ''),
        )
        .join('')}`,
    );
    writeFileSync(join(folder, 'casefiles.graphql'), CASEFILES_SDL);
    roverYaml = write(
      'rover.yaml',
      `federation_version: =2.14.4
subgraphs:
  member:
    routing_url: ${members[0].url}
    schema:
      file: ${resolve('schema/member.graphql')}
  casefiles:
    routing_url: ${casefiles.url}
    schema:
      file: ./casefiles.graphql
`,
    );
  });
  afterAll(async () => {
    await Promise.all(members.map((m) => m.close()));
    await casefiles?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const JOINED = `{
    persons(filter: { name: "Abaaoud" }) { memberState id casefiles { title } }
    casefile(reference: "CF-1") { title subjects { memberState id familyName } }
  }`;
  const EXPECTED = {
    persons: [
      { memberState: 'NL', id: 'NL-1', casefiles: [{ title: 'Brussels cell' }] },
      { memberState: 'BE', id: 'BE-7', casefiles: [{ title: 'Brussels cell' }] },
    ],
    casefile: {
      title: 'Brussels cell',
      subjects: [
        { memberState: 'BE', id: 'BE-7', familyName: 'Abaoud' },
        { memberState: 'NL', id: 'NL-1', familyName: 'Abaaoud' },
      ],
    },
  };

  it.each([
    ['a composed --supergraph file', 'supergraph'],
    ['--config rover.yaml, composed at start', 'config'],
  ])('serves %s with an extra ordinary subgraph, answering a query that joins both', async (_what, mode) => {
    const args = ['gateway', '--members', membersYaml, '--port', '0', '--log-level', 'warn', '--keys-dir', keysDir, '--accept-dev-keys'];
    if (mode === 'supergraph') {
      const supergraph = join(folder, 'supergraph.graphql');
      const composed = await runCli(['compose', '--config', roverYaml, '--out', supergraph, '--quiet']);
      expect(composed.code).toBe(0);
      args.push('--supergraph', supergraph);
    } else {
      args.push('--config', roverYaml);
    }
    const cli = startCli(args);
    try {
      const [, url] = await cli.waitFor(/gateway: (http:\/\/\S+\/graphql)/);
      await cli.waitFor(/Ctrl-C to stop/);
      const { body } = await postQuery(url, JOINED, undefined, headers);
      expect(body).toEqual({ data: EXPECTED, extensions: { hague: { states: expect.any(Object) } } });
    } finally {
      expect(await cli.stop('SIGTERM')).toBe(0);
    }
  });

  it.each([
    ['no supergraph', () => ['--members', membersYaml], /hague: give --supergraph supergraph\.graphql or --config rover\.yaml/],
    [
      'a bad members.yaml',
      () => ['--config', roverYaml, '--members', write('bad-members.yaml', 'members:\n  - code: NL\n    url: http://127.0.0.1:1/graphql\n    timeoutMs: -5\n')],
      /hague: .*bad-members\.yaml:4: members\[0\]\.timeoutMs: -5 is not a timeout in milliseconds/,
    ],
    [
      'a missing members.yaml',
      () => ['--config', roverYaml, '--members', join(folder, 'none.yaml')],
      /hague: .*none\.yaml: cannot read the members config \(no such file\)/,
    ],
    [
      'a bad rover.yaml',
      () => [
        '--config',
        write(
          'bad-rover.yaml',
          'federation_version: =2.14.4\nsubgraphs:\n  member:\n    routing_url: http://x/graphql\n    schema:\n      file: ./missing.graphql\n',
        ),
        '--members',
        membersYaml,
      ],
      /hague: .*bad-rover\.yaml:6: subgraphs\.member\.schema\.file: '\.\/missing\.graphql' cannot be read/,
    ],
    [
      'a file that is not a supergraph',
      () => ['--supergraph', join(folder, 'casefiles.graphql'), '--members', membersYaml],
      /hague: .*casefiles\.graphql: not a supergraph/,
    ],
    ['a bad --port', () => ['--config', roverYaml, '--members', membersYaml, '--port', 'http'], /hague: --port 'http' is not a port number/],
    [
      'dev identity providers without --accept-dev-keys',
      () => ['--config', roverYaml, '--members', membersYaml, '--keys-dir', keysDir, '--port', '0'],
      /hague: members config: NL\.issuer 'hague-dev:NL' is a dev issuer; start the gateway with --accept-dev-keys \(dev only\) or configure the state's real identity provider/,
    ],
    [
      'a missing identity provider key file',
      () => [
        '--config',
        roverYaml,
        '--members',
        write(
          'nokey-members.yaml',
          'members:\n  - code: NL\n    url: http://127.0.0.1:1/graphql\n    issuer: https://idp.nl.example\n    publicKeys:\n      - file: /nonexistent/idp.jwk\n',
        ),
        '--port',
        '0',
      ],
      /hague: members config: NL\.publicKeys file \/nonexistent\/idp\.jwk does not exist/,
    ],
  ])('fails start-up with %s: one line, exit code 2', async (_what, args, message) => {
    const result = await runCli(['gateway', ...args()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
