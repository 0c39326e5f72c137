import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAuditLog, verifyAuditLog } from '../common/audit-log.ts';
import { testGatewayKeys } from './support/tokens.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { deadUrl, postQuery, startNetwork, type TestNetwork } from './support/network.ts';

/**
 * The gateway's audit trail: one entry per GraphQL request (caller, purpose, case, operation
 * digest, states asked / answered / failed, records per state, fields the network's rules removed)
 * and one per request refused before execution (401, 400, 429), under the gateway's request id.
 */

// The gateway's real audit log, in a file of its own, signed with a key made for this test.
const folder = mkdtempSync(join(tmpdir(), 'hague-gateway-audit-'));
const location = join(folder, 'gateway.audit.db');
let auditKeys: { privateJwk: JWK; publicJwk: JWK };

let net: TestNetwork;
let gateway: RunningGateway;
beforeAll(async () => {
  net = await startNetwork({
    states: ['NL', 'BE'],
    data: { NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }], BE: [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }] },
    peers: [{ code: 'FR', url: await deadUrl(), timeoutMs: 500 }],
  });
  auditKeys = await testGatewayKeys();
  gateway = await startGateway({
    supergraphSdl: net.supergraphSdl,
    members: net.memberConfigs,
    security: net.security,
    audit: { location, signingKey: auditKeys.privateJwk },
  });
});
afterAll(async () => {
  await gateway?.close();
  await net?.close();
  rmSync(folder, { recursive: true, force: true });
});

/** The last entry of a kind, read back from the log as an export (which verifies the chain first). */
async function last(kind: string): Promise<Record<string, unknown> | undefined> {
  const { lines } = await exportAuditLog(location, { signingKey: auditKeys.privateJwk });
  const entries = lines
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { kind: string; entry: Record<string, unknown> });
  return entries.filter((e) => e.kind === kind).at(-1)?.entry;
}

describe("the gateway's audit trail", () => {
  it('records who asked, why, what was asked of whom, who answered, and what the network removed', async () => {
    const headers = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'RESTRICTED', subject: 'nl-audited' }, 'border-security');
    const answer = await postQuery(gateway.url, 'query Check { persons(filter: { name: "Abaaoud" }) { memberState id background } }', undefined, {
      ...headers,
      'x-hague-case': 'NL-CASE-9',
      'x-request-id': 'client-corr-1',
    });
    expect(answer.body.data.persons).toHaveLength(2);
    expect(await last('gateway-request')).toEqual({
      requestId: answer.headers.get('x-request-id'),
      correlationId: 'client-corr-1',
      at: expect.any(String),
      caller: { state: 'NL', agency: expect.any(String), subject: 'nl-audited', roles: ['analyst'], clearance: 'RESTRICTED' },
      purpose: 'border-security',
      caseReference: 'NL-CASE-9',
      operation: { name: 'Check', digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
      states: {
        NL: { asked: true, answered: true, records: 1 },
        BE: { asked: true, answered: true, records: 1 },
        FR: { asked: true, answered: false, failed: 'UNREACHABLE', records: 0 },
      },
      removedByNetworkRules: ['Person.background'],
      errors: ['MEMBER_UNAVAILABLE', 'FORBIDDEN', 'FORBIDDEN'],
    });
  });

  it.each([
    ['no token', {}, 401, 'UNAUTHENTICATED'],
    ['a garbage token', { authorization: 'Bearer abc.def' }, 401, 'UNAUTHENTICATED'],
  ])('records a refusal before execution: %s', async (_what, headers, status, code) => {
    const answer = await postQuery(gateway.url, '{ persons(filter: { name: "Abaaoud" }) { id } }', undefined, headers);
    expect(answer.status).toBe(status);
    expect(await last('gateway-refusal')).toEqual({
      requestId: answer.headers.get('x-request-id'),
      at: expect.any(String),
      status,
      code,
      reason: answer.body.errors?.[0]?.message,
      caller: null,
      address: '127.0.0.1',
    });
  });

  it('records a request without a purpose (400) with its reason', async () => {
    const { authorization } = await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' });
    const answer = await postQuery(gateway.url, '{ persons(filter: { name: "Abaaoud" }) { id } }', undefined, { authorization });
    expect(answer.status).toBe(400);
    expect(await last('gateway-refusal')).toMatchObject({ requestId: answer.headers.get('x-request-id'), status: 400, code: 'PURPOSE_REQUIRED' });
  });

  it('records a caller refused by the rate limit (429), naming the caller', async () => {
    const limited = await startGateway({
      supergraphSdl: net.supergraphSdl,
      members: net.memberConfigs,
      security: net.security,
      audit: { location, signingKey: auditKeys.privateJwk }, // a second gateway appending to the same log
      rateLimit: { perCaller: 1 },
    });
    try {
      const headers = await net.as({ state: 'BE', roles: ['analyst'], clearance: 'SECRET', subject: 'be-hurried' });
      expect((await postQuery(limited.url, '{ persons(filter: { name: "Abaaoud" }) { id } }', undefined, headers)).status).toBe(200);
      const refused = await postQuery(limited.url, '{ persons(filter: { name: "Abaaoud" }) { id } }', undefined, headers);
      expect(refused.status).toBe(429);
      expect(await last('gateway-refusal')).toEqual({
        requestId: refused.headers.get('x-request-id'),
        at: expect.any(String),
        status: 429,
        code: 'RATE_LIMITED',
        reason: refused.body.errors?.[0]?.message,
        caller: { state: 'BE', agency: expect.any(String), subject: 'be-hurried' },
        address: '127.0.0.1',
      });
    } finally {
      await limited.close();
    }
  });

  it('keeps a chain that verifies with the public key alone', async () => {
    const verdict = await verifyAuditLog(location, auditKeys.publicJwk);
    expect(verdict).toMatchObject({ ok: true, owner: 'gateway' });
    expect(verdict.ok && verdict.entries).toBe(6); // first gateway: 1 answered, 3 refused; second: 1 answered, 1 refused
  });
});
