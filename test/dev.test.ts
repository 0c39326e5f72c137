import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { postQuery, runCli, startCli } from './support/network.ts';

/**
 * `hague dev` end to end, as `npm start` runs it (on free ports, a small network): states seeded on
 * the first start, reused on the second, a joint query answered by several states, Ctrl-C stopping
 * everything with exit code 0.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'hague-dev-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const ARGS = ['dev', '--members', '3', '--persons', '60', '--data-dir', dataDir, '--port', '0', '--member-port', '0'];
// The shared passport of the demo subject Belhaouari, held by BE, FR and NL under spelling variants.
const JOINT = `{ persons(filter: { documentNumber: "EM482913" }) { memberState id givenName familyName } }`;

async function runOnce(expectSeeding: boolean): Promise<void> {
  const dev = startCli(ARGS);
  try {
    const ready = await dev.waitFor(/Ctrl-C to stop/, 90_000);
    expect(ready).toBeTruthy();
    const out = dev.output();
    for (const state of ['NL', 'BE', 'FR']) {
      expect(out).toMatch(new RegExp(`^  ${state} .*http://127\\.0\\.0\\.1:\\d+/graphql .*${state}\\.db \\(${expectSeeding ? 'seeded 60 persons' : 'reused, 60 persons'}`, 'm'));
      expect(existsSync(join(dataDir, `${state}.db`))).toBe(true);
    }
    const url = out.match(/Gateway\s+(http:\/\/\S+\/graphql)/)![1];
    const { body } = await postQuery(url, JOINT);
    expect(body.errors).toBeUndefined();
    expect(body.data.persons.map((p: { memberState: string }) => p.memberState)).toEqual(['NL', 'BE', 'FR']);
    expect(new Set(body.data.persons.map((p: { familyName: string }) => p.familyName)).size).toBeGreaterThan(1); // spelling variants
    const ready2 = await fetch(url.replace(/graphql$/, 'readyz'));
    expect(await ready2.json()).toMatchObject({ ready: true, memberStates: { NL: { up: true }, BE: { up: true }, FR: { up: true } } });
  } finally {
    const code = await dev.stop('SIGINT');
    expect(dev.output()).toMatch(/SIGINT: stopping the gateway and 3 member states\.\.\.\nstopped/);
    expect(code).toBe(0);
  }
}

it('seeds each state on the first start, answers a joint query, stops cleanly on Ctrl-C', async () => {
  await runOnce(true);
});

it('reuses the data on the second start', async () => {
  await runOnce(false);
});

it.each([
  [['--members', '28'], /--members '28' must be a number of member states from 1 to 27/],
  [['--port', 'x'], /--port 'x' is not a port number/],
  [['--config', '/nonexistent/rover.yaml'], /rover\.yaml: cannot read the supergraph config \(no such file\)/],
])('rejects bad flags %j with one line and exit code 2', async (flags, message) => {
  const result = await runCli(['dev', '--data-dir', dataDir, ...flags]);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(message);
});
