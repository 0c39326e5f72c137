import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../gateway/server.ts';
import { composeTest, deadUrl, startNetwork, type TestNetwork } from './support/network.ts';

/** /healthz, /readyz, /metrics, request ids through the network, structured logs, no phoning home. */

const logLines: Array<Record<string, unknown>> = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n')) if (line) logLines.push(JSON.parse(line));
    done();
  },
});

let net: TestNetwork;
const seenIds: Record<string, string[]> = { NL: [], BE: [] };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  net = await startNetwork({
    states: ['NL', 'BE'],
    data: { NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }], BE: [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }] },
    peers: [{ code: 'FR', url: await deadUrl(), timeoutMs: 500 }],
    gateway: { logger: pino({ level: 'info' }, logStream) },
  });
  for (const [state, member] of net.members) {
    member.app.server.prependListener('request', (req: IncomingMessage) => {
      seenIds[state].push(String(req.headers['x-request-id']));
    });
  }
});
afterAll(async () => {
  await net?.close();
});

describe('operations', () => {
  it('GET /healthz answers while the gateway is alive', async () => {
    const res = await fetch(net.url.replace(/graphql$/, 'healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it("makes its own request id, sends it to every state asked and logs it; a client's X-Request-Id is only a correlation id", async () => {
    const { headers, body } = await net.query(`{ persons(filter: { name: "Abaaoud" }) { id } }`, {}, { 'x-request-id': 'case-2024-117.q1' });
    expect(body.data.persons).toHaveLength(2);
    const id = headers.get('x-request-id')!;
    expect(id).toMatch(UUID);
    expect(headers.get('x-correlation-id')).toBe('case-2024-117.q1');
    expect(seenIds.NL.at(-1)).toBe(id);
    expect(seenIds.BE.at(-1)).toBe(id);
    // Each owner's audit entry joins on the gateway's id and keeps the client's as its correlation id.
    const row = await net.members.get('NL')!.store.db.selectFrom('audit_log').select('entry').where('request_id', '=', id).executeTakeFirstOrThrow();
    expect(JSON.parse(row.entry!)).toMatchObject({ requestId: id, correlationId: 'case-2024-117.q1', outcome: 'answered', records: [{ id: 'NL-1' }] });
    const answered = logLines.find((l) => l.msg === 'graphql request answered' && l.reqId === id);
    expect(answered).toMatchObject({
      correlationId: 'case-2024-117.q1',
      errors: ['MEMBER_UNAVAILABLE'],
      statesWithErrors: ['FR'],
      caller: { state: 'NL', subject: 'dev-nl-analyst', purpose: 'counter-terrorism', case: null },
    });
    expect(logLines.some((l) => l.reqId === id && l.memberState === 'FR' && l.level === 40)).toBe(true);
  });

  it("never lets a caller choose the id an owner's audit joins on, even one that looks like a UUID", async () => {
    const chosen = '00000000-0000-4000-8000-000000000000';
    const { headers } = await net.query(`{ persons(filter: { name: "Abaaoud" }) { id } }`, {}, { 'x-request-id': chosen });
    const id = headers.get('x-request-id')!;
    expect(id).toMatch(UUID);
    expect(id).not.toBe(chosen);
    expect(seenIds.NL.at(-1)).toBe(id);
  });

  it('ignores an unusable X-Request-Id: no correlation id, a fresh request id', async () => {
    const before = seenIds.NL.length;
    const { headers } = await net.query(`{ __typename }`, {}, { 'x-request-id': 'has spaces; and "quotes"' });
    expect(headers.get('x-request-id')).toMatch(UUID);
    expect(headers.get('x-correlation-id')).toBeNull();
    expect(seenIds.NL.length).toBe(before); // { __typename } alone is answered by the gateway itself
  });

  it('GET /readyz reports each state, ready while one answers', async () => {
    const res = await fetch(net.url.replace(/graphql$/, 'readyz'));
    const body = (await res.json()) as Record<string, any>;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ ready: true, supergraphLoaded: true, memberStates: { NL: { up: true }, BE: { up: true }, FR: { up: false } } });
    expect(body.memberStates.FR.detail).toMatch(/connection refused/);
  });

  it('GET /metrics exposes requests, errors by code, per-state latency and failures', async () => {
    await net.query(`{ persons(filter: { name: "Abaaoud" }) { id } }`);
    const res = await fetch(net.url.replace(/graphql$/, 'metrics'));
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    expect(text).toMatch(/^hague_gateway_requests_total\{operation_type="query"\} \d+/m);
    expect(text).toMatch(/^hague_gateway_errors_total\{code="MEMBER_UNAVAILABLE"\} \d+/m);
    expect(text).toMatch(/^hague_member_request_duration_seconds_count\{member_state="NL",kind="root"\} \d+/m);
    expect(text).toMatch(/^hague_member_failures_total\{member_state="FR",reason="unreachable"\} \d+/m);
  });

  it('allows the configured CORS origins only, exposing X-Request-Id', async () => {
    const gateway = await startGateway({
      supergraphSdl: net.supergraphSdl,
      members: net.memberConfigs,
      corsOrigins: ['https://analyst.example.eu'],
      security: net.security,
    });
    try {
      const preflight = (origin: string) =>
        fetch(gateway.url, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
      expect((await preflight('https://analyst.example.eu')).headers.get('access-control-allow-origin')).toBe('https://analyst.example.eu');
      expect((await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin')).toBeNull();
      const res = await fetch(gateway.url.replace(/graphql$/, 'healthz'), { headers: { origin: 'https://analyst.example.eu' } });
      expect(res.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
    } finally {
      await gateway.close();
    }
  });

  it('answers 503 on /readyz when no state answers', async () => {
    const gateway = await startGateway({
      supergraphSdl: net.supergraphSdl,
      members: [{ code: 'NL', name: 'Netherlands', url: await deadUrl(), timeoutMs: 300 }],
      security: net.security,
    });
    try {
      const res = await fetch(gateway.url.replace(/graphql$/, 'readyz'));
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ready: false, memberStates: { NL: { up: false } } });
    } finally {
      await gateway.close();
    }
  });
});

describe('the supergraph as composition leaves it', () => {
  it('starts on a supergraph using @authenticated (for: SECURITY stripped for @apollo/gateway) and serves it', async () => {
    const secure = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@authenticated"])
      type Query { auditTrail: [String!] @authenticated }`;
    const supergraphSdl = composeTest(net.memberConfigs[0].url, [{ name: 'audit', url: 'http://127.0.0.1:9/graphql', sdl: secure }]);
    expect(supergraphSdl).toMatch(/for: SECURITY/);
    const gateway = await startGateway({ supergraphSdl, members: net.memberConfigs.filter((m) => m.code !== 'FR'), security: net.security });
    try {
      const headers = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' });
      const res = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ persons(filter: { name: "Abaoud" }) { memberState id } }' }),
      });
      expect(await res.json()).toEqual({
        data: {
          persons: [
            { memberState: 'NL', id: 'NL-1' },
            { memberState: 'BE', id: 'BE-7' },
          ],
        },
        extensions: { hague: { states: { NL: { persons: { returned: 1, more: false } }, BE: { persons: { returned: 1, more: false } } } } },
      });
    } finally {
      await gateway.close();
    }
  });

  it('turns Apollo telemetry off whatever the environment says', () => {
    // A fresh process whose environment lacks (or contradicts) the switch: importing the gateway sets it.
    const env = { ...process.env, APOLLO_TELEMETRY_DISABLED: '' };
    const script = "await import('./gateway/server.ts'); process.stdout.write(String(process.env.APOLLO_TELEMETRY_DISABLED));";
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('1');
  });

  it('serves no landing page from a CDN', async () => {
    const res = await fetch(net.url, { headers: { accept: 'text/html' } });
    expect(await res.text()).not.toMatch(/apollographql\.com|cdn\./i);
  });

  it('never sends stack traces', async () => {
    const { body } = await net.query(`{ persons(filter: { name: 1 }) { id } }`);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.(js|ts):\d+/);
  });
});
