import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReleasePolicy, type ReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { webhookSignature } from '../subgraphs/member/hit-notifications.ts';
import { buildMemberApp } from '../subgraphs/member/server.ts';
import { openStore } from '../subgraphs/member/store.ts';
import { ABAOUD, insertFixture } from './support/member-fixture.ts';
import { startNetwork, type TestNetwork } from './support/network.ts';
import { caller, contextHeaders, testGatewayKeys } from './support/tokens.ts';

/**
 * Owners told of hits: NL's policy flags its RETURNEE records; a Belgian search that returns one
 * leaves a notification at NL, which NL's duty officers read through the network and NL's webhook
 * receives, signed, retried until it takes it, across restarts.
 */

const SECRET = 'nl-webhook-secret-0123456789';
const RETURNEE = { id: 'NL-1', givenName: 'Abdelkarim', familyName: 'Belhawari', status: 'RETURNEE' };
const SUSPECT = { id: 'NL-2', givenName: 'Karim', familyName: 'Belhawari', status: 'SUSPECT' };

/** A webhook that refuses its first `failures` deliveries with 500, then takes them. */
async function startWebhook(failures: number) {
  const received: Array<{ body: string; signature: string | undefined; status: number }> = [];
  let refused = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const status = refused < failures ? 500 : 200;
      if (status === 500) refused++;
      received.push({ body, signature: req.headers['x-hague-signature'] as string | undefined, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hague-hits`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until<T>(what: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('through the network', () => {
  let net: TestNetwork;
  let webhook: Awaited<ReturnType<typeof startWebhook>>;
  beforeAll(async () => {
    webhook = await startWebhook(1);
    const nl: ReleasePolicy = {
      ...loadReleasePolicy('config/policies', 'NL'),
      notifyOnHits: { all: false, listed: false, statuses: ['RETURNEE'] },
      notifyWebhook: { url: webhook.url, secret: SECRET },
    };
    net = await startNetwork({ states: ['NL', 'BE'], policies: { NL: nl }, data: { NL: [RETURNEE, SUSPECT] } });
  });
  afterAll(async () => {
    await net?.close();
    await webhook?.close();
  });

  it("a partner's hit on a flagged record reaches NL's duty officers and NL's webhook, signed and retried", async () => {
    const be = await net.as({ state: 'BE', roles: ['analyst'], clearance: 'SECRET', subject: 'be-searcher' });
    const res = await fetch(net.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...be, 'x-hague-case': 'BE-CASE-3' },
      body: JSON.stringify({ query: '{ persons(filter: { name: "Belhawari" }, memberStates: [NL]) { familyName } }' }),
    });
    const requestId = res.headers.get('x-request-id');
    expect(((await res.json()) as { data: { persons: unknown[] } }).data.persons).toHaveLength(2);

    // The duty officer of NL reads it through the gateway; nobody else does.
    const ask = async (headers: Record<string, string>) => {
      const answer = await fetch(net.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({
          query: '{ hitNotifications { memberState recordType record callerState callerSubject purpose caseReference requestId released } }',
        }),
      });
      return (await answer.json()) as { data: { hitNotifications: unknown[] } | null; errors?: Array<{ extensions: Record<string, unknown> }> };
    };
    const duty = await ask(await net.as({ state: 'NL', roles: ['duty'], clearance: 'SECRET' }));
    expect(duty).toEqual({
      data: {
        hitNotifications: [
          {
            memberState: 'NL',
            recordType: 'Person',
            record: 'NL-1',
            callerState: 'BE',
            callerSubject: 'be-searcher',
            purpose: 'counter-terrorism',
            caseReference: 'BE-CASE-3',
            requestId,
            released: ['Person.familyName'],
          },
        ],
      },
    });
    const analyst = await ask(await net.as({ state: 'NL', roles: ['analyst'], clearance: 'SECRET' }));
    expect(analyst.data).toEqual({ hitNotifications: [] }); // NL's part is refused; other states have nothing
    expect(analyst.errors?.map((e) => e.extensions)).toEqual([{ code: 'NOT_RELEASED', memberState: 'NL', field: 'Query.hitNotifications' }]);
    const beDuty = await ask(await net.as({ state: 'BE', roles: ['duty'], clearance: 'SECRET' }));
    expect(beDuty).toEqual({ data: { hitNotifications: [] } });

    // The webhook: refused once (500), delivered on the retry, the body signed with NL's secret.
    const delivered = await until(() => webhook.received.find((r) => r.status === 200));
    expect(webhook.received[0].status).toBe(500);
    expect(delivered.signature).toBe(webhookSignature(SECRET, delivered.body));
    expect(JSON.parse(delivered.body)).toMatchObject({ memberState: 'NL', record: 'NL-1', callerState: 'BE', requestId, released: ['Person.familyName'] });
    expect(webhook.received.filter((r) => r.status === 200)).toHaveLength(1);
  });
});

describe('nothing lost across a restart', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hague-hits-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('a notification the webhook could not take yet is delivered by the next process over the same database', async () => {
    const keys = await testGatewayKeys();
    const store = await openStore(join(folder, 'nl.db'), 'NL');
    await insertFixture(store);
    const base = { ...loadReleasePolicy('config/policies', 'NL'), notifyOnHits: { all: true, listed: false, statuses: [] } };
    const down = await startWebhook(1_000_000); // refuses everything
    const first = await buildMemberApp({
      state: 'NL',
      store,
      gatewayPublicKey: keys.publicJwk,
      policy: { ...base, notifyWebhook: { url: down.url, secret: SECRET } },
      webhookEveryMs: 50,
    });
    const payload = JSON.stringify({ query: `{ person(memberState: NL, id: "${ABAOUD.id}") { id } }` });
    const answer = await first.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', ...(await contextHeaders(keys.privateJwk, 'NL', caller({ state: 'FR', subject: 'fr-x' }), payload)) },
      payload,
    });
    expect(answer.json()).toEqual({ data: { person: { id: ABAOUD.id } } });
    await until(() => (down.received.length > 0 ? true : undefined));
    await first.close();
    await down.close();

    const up = await startWebhook(0);
    const second = await buildMemberApp({
      state: 'NL',
      store,
      gatewayPublicKey: keys.publicJwk,
      policy: { ...base, notifyWebhook: { url: up.url, secret: SECRET } },
      webhookEveryMs: 50,
    });
    try {
      const delivered = await until(() => up.received.find((r) => r.status === 200));
      expect(JSON.parse(delivered.body)).toMatchObject({ record: ABAOUD.id, callerState: 'FR', callerSubject: 'fr-x' });
      const row = await store.db.selectFrom('hit_notifications').selectAll().executeTakeFirstOrThrow();
      expect(row.delivered_at).not.toBeNull();
      expect(Number(row.attempts)).toBeGreaterThanOrEqual(2);
    } finally {
      await second.close();
      await up.close();
      await store.close();
    }
  });
});
