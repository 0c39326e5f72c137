import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReleasePolicy } from '../../subgraphs/member/release-policy.ts';
import { buildMemberApp } from '../../subgraphs/member/server.ts';
import { openStore, type Store } from '../../subgraphs/member/store.ts';
import { ABAOUD, insertFixture } from '../support/member-fixture.ts';
import { caller, contextHeaders, testGatewayKeys } from '../support/tokens.ts';

/**
 * A state's search budget lives in its own database: two replicas of NL over the same database
 * share it, and a restart does not reset it. An ES analyst (HIT at NL: 10 searches an hour) spreads
 * its guesses over both replicas and a restart, and still gets 10.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-budget-'));
const database = join(folder, 'nl.db');
let keys: { privateJwk: JWK; publicJwk: JWK };
const open: Array<{ app: FastifyInstance; store: Store }> = [];

async function replica(): Promise<FastifyInstance> {
  const store = await openStore(database, 'NL');
  const app = await buildMemberApp({ state: 'NL', store, gatewayPublicKey: keys.publicJwk, policy: loadReleasePolicy('config/policies', 'NL') });
  open.push({ app, store });
  return app;
}

async function guess(app: FastifyInstance, day: string): Promise<{ status: number; code?: unknown }> {
  const payload = JSON.stringify({ query: `{ persons(filter: { name: "${ABAOUD.givenName} ${ABAOUD.familyName}", dateOfBirth: "${day}" }) { id } }` });
  const headers = await contextHeaders(keys.privateJwk, 'NL', caller({ state: 'ES', subject: 'es-replica-prober' }), payload);
  const response = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', ...headers }, payload });
  const body = response.json<{ errors?: Array<{ extensions: { code: string } }> }>();
  return { status: response.statusCode, code: body.errors?.[0]?.extensions.code };
}

beforeAll(async () => {
  keys = await testGatewayKeys();
  const seed = await openStore(database, 'NL');
  await insertFixture(seed);
  await seed.close();
});
afterAll(async () => {
  for (const { app, store } of open) {
    await app.close().catch(() => {});
    await store.close().catch(() => {});
  }
  rmSync(folder, { recursive: true, force: true });
});

describe("search budgets are the state's, not a process's", () => {
  it('two replicas share one budget, and a restart keeps it', async () => {
    const [a, b] = [await replica(), await replica()];
    const statuses: number[] = [];
    for (let day = 1; day <= 6; day++) statuses.push((await guess(day % 2 ? a : b, `1987-01-0${day}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    // Restart both: new processes, the same database.
    for (const { app, store } of open.splice(0)) {
      await app.close();
      await store.close();
    }
    const c = await replica();
    for (let day = 7; day <= 10; day++) expect((await guess(c, `1987-01-${String(day).padStart(2, '0')}`)).status).toBe(200);
    // The 11th search this hour, whichever replica gets it: refused.
    expect(await guess(c, '1987-01-11')).toEqual({ status: 429, code: 'RATE_LIMITED' });
    const d = await replica();
    expect(await guess(d, '1987-01-12')).toEqual({ status: 429, code: 'RATE_LIMITED' });
  });
});
