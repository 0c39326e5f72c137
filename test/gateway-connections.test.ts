import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CASEFILES_SDL, startCasefiles, startNetwork, type TestNetwork } from './support/network.ts';

/**
 * Nothing leaves the network: while a joint query (root fan-out plus entity fetches) runs, every
 * TCP connection this process opens goes to a member state, to the network's other subgraph, or
 * (the test's own client) to the gateway. Observed on net.Socket.prototype.connect, which every
 * client in Node (undici, http, telemetry exporters) goes through.
 */

const connections: Array<{ host: string; port: number }> = [];
const original = net.Socket.prototype.connect;

(net.Socket.prototype as any).connect = function (this: net.Socket, ...args: any[]) {
  let options = args[0];
  if (Array.isArray(options)) options = options[0]; // Node's internal normalized form
  if (typeof options === 'number') options = { port: options, host: typeof args[1] === 'string' ? args[1] : 'localhost' };
  if (options && typeof options === 'object' && !options.path) connections.push({ host: String(options.host ?? 'localhost'), port: Number(options.port) });
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
};

let network: TestNetwork;
let casefiles: Awaited<ReturnType<typeof startCasefiles>>;

beforeAll(async () => {
  casefiles = await startCasefiles([
    {
      reference: 'CF-1',
      title: 'Brussels cell',
      subjects: [
        { memberState: 'NL', id: 'NL-1' },
        { memberState: 'BE', id: 'BE-7' },
      ],
    },
  ]);
  network = await startNetwork({
    states: ['NL', 'BE', 'FR'],
    data: { NL: [{ id: 'NL-1', givenName: 'Abdelhamid', familyName: 'Abaaoud' }], BE: [{ id: 'BE-7', givenName: 'Abdel-Hamid', familyName: 'Abaoud' }] },
    subgraphs: [{ name: 'casefiles', url: casefiles.url, sdl: CASEFILES_SDL }],
  });
});
afterAll(async () => {
  net.Socket.prototype.connect = original;
  await network?.close();
  await casefiles?.close();
});

const hostPort = (url: string) => {
  const u = new URL(url);
  return `${u.hostname}:${u.port}`;
};

it("while a joint query runs, the gateway connects only to the network's own addresses", async () => {
  connections.length = 0;
  const { body } = await network.query(`{
    persons(filter: { name: "Abaaoud" }) { memberState id familyName casefiles { title } }
    casefile(reference: "CF-1") { subjects { memberState id givenName } }
  }`);
  expect(body.errors).toBeUndefined();
  expect(body.data.persons).toHaveLength(2);
  expect(body.data.casefile.subjects).toHaveLength(2);

  const gateway = hostPort(network.url);
  const members = network.memberConfigs.map((m) => hostPort(m.url));
  const allowed = new Set([...members, hostPort(casefiles.url)]);
  const outgoing = connections.map((c) => `${c.host}:${c.port}`).filter((a) => a !== gateway); // the test's client -> gateway
  expect(outgoing.length).toBeGreaterThanOrEqual(members.length); // the observation works: each state was reached
  for (const address of outgoing) expect(allowed, `unexpected connection to ${address}`).toContain(address);
  for (const address of members) expect(outgoing).toContain(address);
});
