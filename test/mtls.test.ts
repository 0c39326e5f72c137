import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintCertificate, mintCertificateAuthority, spkiPin } from '../common/tls.ts';
import { parseMembersConfig } from '../gateway/members-config.ts';
import { startGateway } from '../gateway/server.ts';
import { issueDevToken } from '../common/dev-identity.ts';
import { DEFAULT_PERSONA, postQuery, runCli, startCli, startNetwork, type TestNetwork } from './support/network.ts';

/**
 * Mutual TLS between the gateway and the member states, with certificates minted by the project's
 * own code (common/tls.ts, what `hague dev` runs): real members over HTTPS, real gateways, real
 * TLS clients. A client without the gateway CA's certificate never reaches a route; a gateway that
 * cannot verify a state (wrong CA, wrong pin) answers without it, reason TLS, never in plain text.
 */

const DATA = {
  NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }],
  BE: [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }],
  FR: [{ id: 'FR-3', givenName: 'Abdelhamid', familyName: 'Abaaoud' }],
};
const JOINT = `{ persons(filter: { name: "Abaaoud" }) { memberState id familyName } }`;
/** A well-formed pin (base64 of 32 zero bytes) that no key has. */
const WRONG_PIN = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

const folder = mkdtempSync(join(tmpdir(), 'hague-mtls-'));
let other: { caFile: string; client: { cert: string; key: string }; clientFiles: { certFile: string; keyFile: string } };
let net: TestNetwork;

beforeAll(async () => {
  // Another CA, unrelated to the network's: its client certificate must be refused, and a state's certificate checked against it fails.
  const ca = await mintCertificateAuthority('Some other CA');
  const client = await mintCertificate(ca, { commonName: 'not the gateway', usage: 'client' });
  const caFile = join(folder, 'other-ca.pem');
  writeFileSync(caFile, ca.certPem);
  const clientFiles = { certFile: join(folder, 'other-client.pem'), keyFile: join(folder, 'other-client.key') };
  writeFileSync(clientFiles.certFile, client.cert);
  writeFileSync(clientFiles.keyFile, client.key);
  other = { caFile, client, clientFiles };
  net = await startNetwork({ states: ['NL', 'BE', 'FR'], data: DATA, tls: true });
});

afterAll(async () => {
  await net?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A direct request to a member, as any TLS client would make it: trusting the network CA, with or without a client certificate. */
async function askMember(url: string, client?: { cert: string; key: string }): Promise<{ status: number } | { error: string }> {
  const agent = new Agent({ connect: { ca: readFileSync(net.certificates!.caFile, 'utf8'), ...client } });
  try {
    const res = await request(url, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    await res.body.arrayBuffer();
    return { status: res.statusCode };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    return { error: e.code ?? e.cause?.code ?? e.message };
  } finally {
    await agent.close();
  }
}

describe('members over mutual TLS', () => {
  it('serve https, and a joint query through the gateway is answered by every state', async () => {
    for (const member of net.members.values()) expect(member.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const { status, body } = await net.query(JOINT);
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.data.persons).toEqual([
      { memberState: 'NL', id: 'NL-1', familyName: 'Abaaoud' },
      { memberState: 'BE', id: 'BE-7', familyName: 'Abaoud' },
      { memberState: 'FR', id: 'FR-3', familyName: 'Abaaoud' },
    ]);
  });

  it("a client with the gateway CA's certificate reaches the routes (refused there without a context token)", async () => {
    const nl = net.members.get('NL')!;
    nl.resetCount();
    const certs = net.certificates!;
    const gatewayClient = { cert: readFileSync(certs.gateway.certFile, 'utf8'), key: readFileSync(certs.gateway.keyFile, 'utf8') };
    expect(await askMember(nl.url, gatewayClient)).toEqual({ status: 401 });
    expect(nl.requests()).toBe(1);
  });

  it('a client without a certificate is refused in the TLS handshake: no route, not even /healthz, is reached', async () => {
    const nl = net.members.get('NL')!;
    nl.resetCount();
    const answer = await askMember(nl.url);
    expect(answer).toHaveProperty('error');
    expect((answer as { error: string }).error).toMatch(/^ERR_SSL_|^ECONNRESET$|^UND_ERR_SOCKET$/);
    expect(await askMember(nl.url.replace(/graphql$/, 'healthz'))).toHaveProperty('error');
    expect(nl.requests()).toBe(0);
  });

  it('a client with a certificate of another CA is refused in the TLS handshake', async () => {
    const nl = net.members.get('NL')!;
    nl.resetCount();
    const answer = await askMember(nl.url, other.client);
    expect(answer).toHaveProperty('error');
    expect((answer as { error: string }).error).toMatch(/^ERR_SSL_|^ECONNRESET$|^UND_ERR_SOCKET$/);
    expect(nl.requests()).toBe(0);
  });

  it("a state's own server certificate is no client certificate (extended key usage serverAuth only)", async () => {
    const nl = net.members.get('NL')!;
    nl.resetCount();
    const be = net.certificates!.members.BE;
    const answer = await askMember(nl.url, { cert: readFileSync(be.certFile, 'utf8'), key: readFileSync(be.keyFile, 'utf8') });
    expect(answer).toHaveProperty('error');
    expect(nl.requests()).toBe(0);
  });
});

describe('the gateway verifies each state', () => {
  let wrong: TestNetwork;
  beforeAll(async () => {
    // BE checked against another CA, FR against a pin its key does not have.
    wrong = await startNetwork({
      states: ['NL', 'BE', 'FR'],
      data: DATA,
      tls: true,
      memberTls: { BE: { caFile: other.caFile }, FR: { pins: [WRONG_PIN] } },
    });
  });
  afterAll(async () => {
    await wrong?.close();
  });

  it('a wrong CA or a wrong pin: that state is MEMBER_UNAVAILABLE, reason TLS, and the others answer', async () => {
    const headers = await wrong.as({ ...DEFAULT_PERSONA, roles: [...DEFAULT_PERSONA.roles], scopes: [...DEFAULT_PERSONA.scopes] });
    wrong.resetCounts();
    const { status, body } = await postQuery(wrong.gateway.url, JOINT, undefined, headers);
    expect(status).toBe(200);
    expect(body.data.persons).toEqual([{ memberState: 'NL', id: 'NL-1', familyName: 'Abaaoud' }]);
    const errors = body.errors!.map((e) => ({ ...e.extensions, message: e.message }));
    expect(errors).toHaveLength(2);
    expect(errors).toContainEqual({
      code: 'MEMBER_UNAVAILABLE',
      memberState: 'BE',
      reason: 'TLS',
      message: expect.stringMatching(/^BE failed the mutual TLS handshake \(its certificate was not issued by the CA configured for it \([A-Z_]+\)\)/),
    });
    expect(errors).toContainEqual({
      code: 'MEMBER_UNAVAILABLE',
      memberState: 'FR',
      reason: 'TLS',
      message: expect.stringMatching(/^FR failed the mutual TLS handshake \(its certificate's public key \(pin \S+=\) matches no pinned key \(A+=\)\)/),
    });
    // Never a plain-text fallback: BE and FR received nothing.
    expect(wrong.requestCounts()).toEqual({ NL: 1, BE: 0, FR: 0 });
  });

  it('with the right pins every state answers (a pin is the SHA-256 of its SPKI, as spkiPin computes it)', async () => {
    const members = net.memberConfigs.map((m) => ({
      ...m,
      tls: { ...m.tls!, pins: [WRONG_PIN, spkiPin(readFileSync(net.certificates!.members[m.code].certFile))] },
    }));
    const certs = net.certificates!;
    const gateway = await startGateway({
      supergraphSdl: net.supergraphSdl,
      members,
      security: net.security,
      clientCertificate: { certFile: certs.gateway.certFile, keyFile: certs.gateway.keyFile },
    });
    try {
      const headers = await net.as({ ...DEFAULT_PERSONA, roles: [...DEFAULT_PERSONA.roles], scopes: [...DEFAULT_PERSONA.scopes] });
      const { body } = await postQuery(gateway.url, JOINT, undefined, headers);
      expect(body.errors).toBeUndefined();
      expect(body.data.persons.map((p: { memberState: string }) => p.memberState)).toEqual(['NL', 'BE', 'FR']);
    } finally {
      await gateway.close();
    }
  });

  it('a gateway whose client certificate is of another CA is refused by every state (reason TLS)', async () => {
    const gateway = await startGateway({
      supergraphSdl: net.supergraphSdl,
      members: net.memberConfigs,
      security: net.security,
      clientCertificate: other.clientFiles,
    });
    try {
      const token = await issueDevToken({ ...DEFAULT_PERSONA, roles: [...DEFAULT_PERSONA.roles], scopes: [...DEFAULT_PERSONA.scopes], keysDir: net.keysDir });
      net.resetCounts();
      const { body } = await postQuery(gateway.url, JOINT, undefined, { authorization: `Bearer ${token}`, 'x-hague-purpose': 'counter-terrorism' });
      expect(body.data?.persons ?? []).toEqual([]);
      expect(body.errors!.map((e) => [e.extensions!.memberState, e.extensions!.reason])).toEqual([
        ['NL', 'TLS'],
        ['BE', 'TLS'],
        ['FR', 'TLS'],
      ]);
      expect(body.errors![0].message).toMatch(/^NL failed the mutual TLS handshake/);
      expect(net.requestCounts()).toEqual({ NL: 0, BE: 0, FR: 0 });
    } finally {
      await gateway.close();
    }
  });
});

describe('members.yaml tls', () => {
  const entry = (url: string, tls = '') => `members:\n  - code: NL\n    url: ${url}\n${tls}`;
  it.each([
    [entry('https://nl.example:4101/graphql'), /members\[0\]\.tls: missing: NL's url https:\/\/nl\.example:4101\/graphql is https; add tls: \{ ca: /],
    [entry('http://nl.example:4101/graphql', '    tls: { ca: ca.pem }\n'), /every url of a state with tls must be https:\/\//],
    [
      entry('https://nl.example:4101/graphql', '    tls: { ca: ca.pem }\n'),
      /gateway\.tls: missing: NL \(members\[0\]\) is reached over mutual TLS; add tls: \{ cert: /,
    ],
    [
      `gateway:\n  tls: { cert: c.pem, key: k.pem }\n${entry('https://nl.example:4101/graphql', '    tls: { ca: ca.pem, pin: abc }\n')}`,
      /members\[0\]\.tls\.pin: .*is not a pin/,
    ],
    [`gateway:\n  tls: { cert: c.pem }\n${entry('https://nl.example:4101/graphql', '    tls: { ca: ca.pem }\n')}`, /gateway\.tls\.key: missing/],
  ])('refuses %j', (text, message) => {
    expect(() => parseMembersConfig(text, 'members.yaml')).toThrow(message);
  });

  it('takes the CA, the pins and the gateway client certificate', () => {
    const config = parseMembersConfig(
      `gateway:\n  tls: { cert: gw.pem, key: gw.key }\n${entry('https://nl.example:4101/graphql', `    tls: { ca: nl-ca.pem, pin: [${WRONG_PIN}] }\n`)}`,
    );
    expect(config.gateway.tls).toEqual({ certFile: 'gw.pem', keyFile: 'gw.key' });
    expect(config.members[0].tls).toEqual({ caFile: 'nl-ca.pem', pins: [WRONG_PIN] });
  });

  it('a CA file that does not exist stops the gateway naming the key', async () => {
    const members = [{ ...net.memberConfigs[0], tls: { caFile: join(folder, 'missing.pem') } }];
    await expect(startGateway({ supergraphSdl: net.supergraphSdl, members, security: net.security, clientCertificate: other.clientFiles })).rejects.toThrow(
      /members config NL\.tls\.ca .*missing\.pem: cannot read it \(no such file\)/,
    );
  });
});

it('hague member takes --tls-cert, --tls-key and --tls-client-ca together or not at all (one line, exit code 2)', async () => {
  const certs = net.certificates!;
  const result = await runCli([
    'member',
    '--state',
    'NL',
    '--database',
    join(folder, 'nl.db'),
    '--tls-cert',
    certs.members.NL.certFile,
    '--tls-key',
    certs.members.NL.keyFile,
  ]);
  expect(result.stderr).toBe('hague: mutual TLS needs --tls-cert, --tls-key and --tls-client-ca together; missing --tls-client-ca\n');
  expect(result.code).toBe(2);
  const notPem = await runCli([
    'member',
    ...['--state', 'NL', '--database', join(folder, 'nl.db'), '--tls-cert', certs.members.NL.keyFile],
    ...['--tls-key', certs.members.NL.keyFile, '--tls-client-ca', certs.caFile],
  ]);
  expect(notPem.stderr).toBe(`hague: --tls-cert ${certs.members.NL.keyFile}: not a PEM certificate (expected a -----BEGIN CERTIFICATE----- block)\n`);
  expect(notPem.code).toBe(2);
});

// A whole dev network (two state processes and the gateway): a minute or more on a loaded machine.
it('hague dev mints its certificates and runs the states over mutual TLS', { timeout: 240_000 }, async () => {
  const dataDir = join(folder, 'dev');
  const keysDir = join(dataDir, 'keys');
  const dev = startCli(['dev', '--members', '2', '--persons', '60', '--data-dir', dataDir, '--keys-dir', keysDir, '--port', '0', '--member-port', '0']);
  try {
    await dev.waitFor(/Ctrl-C to stop/, 180_000);
    const out = dev.output();
    expect(out).toMatch(/^Minted dev certificates in .*tls: 4 file\(s\)$/m);
    const memberUrls = [...out.matchAll(/^ {2}(NL|BE) .* (https:\/\/127\.0\.0\.1:\d+\/graphql) /gm)].map((m) => [m[1], m[2]]);
    expect(memberUrls.map(([state]) => state)).toEqual(['NL', 'BE']);
    expect(out).toMatch(/^Mutual TLS {2}the states serve HTTPS/m);
    expect(out).not.toMatch(/insecure-http/);
    for (const file of ['network-ca.key', 'member-NL.key', 'member-BE.key', 'gateway-client.key']) {
      expect(statSync(join(keysDir, 'tls', file)).mode & 0o777, file).toBe(0o600);
    }
    const url = out.match(/Gateway\s+(http:\/\/\S+\/graphql)/)![1];
    const token = await issueDevToken({ state: 'BE', roles: ['analyst'], clearance: 'SECRET', keysDir });
    const { body } = await postQuery(url, `{ persons(filter: { documentNumber: "EM482913" }) { memberState id } }`, undefined, {
      authorization: `Bearer ${token}`,
      'x-hague-purpose': 'counter-terrorism',
    });
    expect(body.errors).toBeUndefined();
    expect(body.data.persons.map((p: { memberState: string }) => p.memberState)).toEqual(['NL', 'BE']);
    // The states answer nobody without the gateway's client certificate.
    const agent = new Agent({ connect: { ca: readFileSync(join(keysDir, 'tls', 'network-ca.pem'), 'utf8') } });
    try {
      await expect(request(memberUrls[0][1].replace(/graphql$/, 'healthz'), { dispatcher: agent })).rejects.toThrow();
    } finally {
      await agent.close();
    }
  } finally {
    const code = await dev.stop('SIGINT');
    expect(code).toBe(0);
  }
});
