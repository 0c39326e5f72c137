import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devIssuer, devKeyName, issueDevToken } from '../../common/dev-identity.ts';
import { ensureKeyPair } from '../../common/dev-keys.ts';
import type { MemberState } from '../../common/member-states.ts';
import { ensureDevCertificates, mintCertificate, mintCertificateAuthority } from '../../common/tls.ts';
import { composeFile } from '../../gateway/compose.ts';
import { NETWORK_KEY_FILE, ensureNetworkKeyring } from '../../subgraphs/member/match-keys.ts';
import { seedMember } from '../../subgraphs/member/seed.ts';
import { openStore } from '../../subgraphs/member/store.ts';
import { gatewayCliArgs, startCli, type RunningCli } from '../support/network.ts';
import { NGINX, startNginx, type RunningNginx } from '../support/nginx.ts';
import { buildSwitch, inNs, ip, namespacesUnavailable, tearDownSwitch, type SwitchTopology } from '../support/netns.ts';

/**
 * Each state on a host of its own: Linux network namespaces joined by veth links to one switch
 * (a bridge in a namespace of its own, so the host's firewall plays no part). NL, BE and FR each
 * run `hague member` over mutual TLS in their own namespace; two `hague gateway` replicas run in
 * two more, behind nginx in a fifth; the test process is the analyst's machine, on the same
 * switch. Real processes, real sockets, real certificates (minted by `hague dev`'s own code).
 *
 * Needs root and `ip netns` (CI runs as root). Elsewhere it is skipped, saying why.
 * `npm run test:network` runs this file alone.
 */

const unavailable = NGINX ? namespacesUnavailable() : 'nginx is missing (apt-get install nginx)';
if (unavailable) console.warn(`test/network/namespaces.test.ts: SKIPPED, ${unavailable}`);

const STATES = ['NL', 'BE', 'FR'] as const satisfies readonly MemberState[];
const id = randomBytes(2).toString('hex');
const subnet = `10.213.${randomBytes(1)[0]}`;
/** Each host: its namespace, its address on the switch, the veth pair joining it. */
const HOSTS = [
  { name: 'nl', ip: `${subnet}.11` },
  { name: 'be', ip: `${subnet}.12` },
  { name: 'fr', ip: `${subnet}.13` },
  { name: 'gw1', ip: `${subnet}.21` },
  { name: 'gw2', ip: `${subnet}.22` },
  { name: 'lb', ip: `${subnet}.30` },
].map((h, i) => ({ ...h, ns: `hg${id}-${h.name}`, inner: `h${id}${i}a`, outer: `h${id}${i}b` }));
const SWITCH = `hg${id}-sw`;
/** The test process's own link to the switch (root namespace). */
const CLIENT = { ip: `${subnet}.1`, inner: `h${id}ca`, outer: `h${id}cb` };
const TOPOLOGY: SwitchTopology = { switch: SWITCH, hosts: HOSTS, client: CLIENT };
const hostOf = (name: string) => HOSTS.find((h) => h.name === name)!;
const MEMBER_PORT = 4101;
const GATEWAY_PORT = 4000;
const LB_PORT = 8080;
const TIMEOUT_MS = 2000;

describe.skipIf(unavailable !== undefined)('each state on a host of its own (network namespaces, mutual TLS)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hague-netns-'));
  const keysDir = join(folder, 'keys');
  const processes: RunningCli[] = [];
  let nginx: RunningNginx | undefined;
  let headers: Record<string, string>;
  let certs: Awaited<ReturnType<typeof ensureDevCertificates>>;
  const lbUrl = `http://${hostOf('lb').ip}:${LB_PORT}/graphql`;

  beforeAll(async () => {
    buildSwitch(TOPOLOGY);
    await ensureKeyPair(keysDir, 'gateway');
    await ensureKeyPair(keysDir, devKeyName('BE'));
    // Each member's server certificate names the address it serves on.
    certs = await ensureDevCertificates(
      keysDir,
      [...STATES],
      STATES.map((s) => hostOf(s.toLowerCase()).ip),
    );
    const keyring = ensureNetworkKeyring(join(keysDir, NETWORK_KEY_FILE));
    const today = new Date().toISOString().slice(0, 10);
    for (const state of STATES) {
      const store = await openStore(join(folder, `${state}.db`), state);
      await seedMember(store, { persons: 40, keyring, asOf: today });
      await store.close();
    }
    const supergraph = join(folder, 'supergraph.graphql');
    writeFileSync(supergraph, composeFile('rover.yaml').supergraphSdl);
    const membersYaml = join(folder, 'members.yaml');
    writeFileSync(
      membersYaml,
      `gateway:\n  rateLimit: false\n  tls:\n    cert: ${certs.gateway.certFile}\n    key: ${certs.gateway.keyFile}\nmembers:\n` +
        STATES.map(
          (state) =>
            `  - code: ${state}\n    url: https://${hostOf(state.toLowerCase()).ip}:${MEMBER_PORT}/graphql\n    timeoutMs: ${TIMEOUT_MS}\n` +
            `    tls:\n      ca: ${certs.caFile}\n` +
            (state === 'BE' ? `    issuer: ${devIssuer('BE')}\n    publicKeys:\n      - file: ${join(keysDir, `${devKeyName('BE')}.jwk`)}\n` : ''),
        ).join(''),
    );

    const started: Array<Promise<unknown>> = [];
    for (const state of STATES) {
      const host = hostOf(state.toLowerCase());
      const member = startCli(
        [
          'member',
          ...['--state', state, '--host', host.ip, '--port', String(MEMBER_PORT), '--database', join(folder, `${state}.db`)],
          ...['--gateway-key', join(keysDir, 'gateway.jwk'), '--keys-dir', keysDir, '--policies', 'config/policies', '--log-level', 'warn'],
          ...['--tls-cert', certs.members[state].certFile, '--tls-key', certs.members[state].keyFile, '--tls-client-ca', certs.caFile],
          ...['--audit', join(folder, `${state}.audit.db`)],
        ],
        {},
        inNs(host.ns),
      );
      processes.push(member);
      started.push(member.waitFor(/Ctrl-C to stop/, 90_000));
    }
    await Promise.all(started);
    for (const name of ['gw1', 'gw2']) {
      const host = hostOf(name);
      const gateway = startCli(
        gatewayCliArgs(
          { supergraph, members: membersYaml, port: GATEWAY_PORT, keysDir, audit: join(folder, `${name}.audit.db`) },
          ...['--host', host.ip, '--accept-dev-keys', '--log-level', 'warn'],
        ),
        { NODE_ENV: 'production' },
        inNs(host.ns),
      );
      processes.push(gateway);
      await gateway.waitFor(/Ctrl-C to stop/, 90_000);
    }

    const lb = hostOf('lb');
    nginx = await startNginx(
      folder,
      {
        prefix: join(folder, 'nginx'),
        listen: `${lb.ip}:${LB_PORT}`,
        upstreams: [hostOf('gw1').ip, hostOf('gw2').ip].map((ip) => `${ip}:${GATEWAY_PORT}`),
        userRoot: true,
      },
      { readyUrl: lbUrl.replace('/graphql', '/readyz'), wrap: ['ip', 'netns', 'exec', lb.ns], attempts: 400 },
    );
    headers = {
      'content-type': 'application/json',
      authorization: `Bearer ${await issueDevToken({ state: 'BE', roles: ['analyst'], clearance: 'SECRET', scopes: ['financial:read'], keysDir })}`,
      'x-hague-purpose': 'counter-terrorism',
    };
  }, 240_000);

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    tearDownSwitch(TOPOLOGY);
    rmSync(folder, { recursive: true, force: true });
  }, 60_000);

  const ask = async () => {
    const started = performance.now();
    const res = await fetch(lbUrl, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: '{ subjects(filter: { documentNumber: "EM482913" }) { id heldBy linkedBy travel { source { memberState } } } }' }),
    });
    return {
      status: res.status,
      ms: performance.now() - started,
      upstream: res.headers.get('x-upstream'),
      body: (await res.json()) as {
        data?: { subjects: Array<{ id: string; heldBy: string[]; linkedBy: string[]; travel: Array<{ source: { memberState: string } }> }> };
        errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
      },
    };
  };

  it('a joint query from the analyst’s host, through the load balancer and either gateway replica, to the three states over mutual TLS', async () => {
    const upstreams = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const answer = await ask();
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data!.subjects).toHaveLength(1);
      expect(answer.body.data!.subjects[0]).toMatchObject({ id: 'NL:NL-P-000001+BE:BE-P-000001+FR:FR-P-000001', heldBy: ['NL', 'BE', 'FR'] });
      expect(new Set(answer.body.data!.subjects[0].travel.map((t) => t.source.memberState))).toEqual(new Set(['NL', 'BE', 'FR']));
      upstreams.add(answer.upstream ?? '');
    }
    // nginx spreads the requests over both replicas, each on its own host.
    expect(upstreams).toEqual(new Set([`${hostOf('gw1').ip}:${GATEWAY_PORT}`, `${hostOf('gw2').ip}:${GATEWAY_PORT}`]));
    const hosts = HOSTS.map((h) => `${h.ns} ${h.ip}`).join(', ');
    console.log(
      `topology: switch ${SWITCH} (bridge br0); hosts ${hosts}; analyst ${CLIENT.ip} (root namespace)\n` +
        `joint answer over mutual TLS, via ${[...upstreams].join(' and ')}: ${JSON.stringify((await ask()).body.data)}`,
    );
  });

  it('a member refuses, at the TLS handshake, a client without the gateway’s certificate or with one from another CA, and plain HTTP', async () => {
    const nl = hostOf('nl').ip;
    const ca = readFileSync(certs.caFile);
    const handshake = (options: { cert?: string; key?: string }) =>
      new Promise<string>((resolve) => {
        const req = request({ host: nl, port: MEMBER_PORT, path: '/healthz', method: 'GET', ca, ...options, servername: undefined, timeout: 5000 }, (res) => {
          res.resume();
          resolve(`HTTP ${res.statusCode}`);
        });
        req.on('error', (error: NodeJS.ErrnoException) => resolve(`refused: ${error.code ?? error.message}`));
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.end();
      });
    // The gateway's own certificate gets through (the control).
    expect(await handshake({ cert: readFileSync(certs.gateway.certFile, 'utf8'), key: readFileSync(certs.gateway.keyFile, 'utf8') })).toBe('HTTP 200');
    const bare = await handshake({});
    expect(bare).toMatch(/^refused: /);
    const other = await mintCertificateAuthority('Not the network CA');
    const stranger = await mintCertificate(other, { commonName: 'hague gateway', usage: 'client' });
    const foreign = await handshake({ cert: stranger.cert, key: stranger.key });
    expect(foreign).toMatch(/^refused: /);
    const plain = await fetch(`http://${nl}:${MEMBER_PORT}/graphql`, { method: 'POST', body: '{}' }).then(
      (res) => `HTTP ${res.status}`,
      (error: Error) => `refused: ${(error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.message}`,
    );
    expect(plain).not.toBe('HTTP 200');
    console.log(
      `NL's member at ${nl}:${MEMBER_PORT}: gateway certificate HTTP 200; no certificate ${bare}; another CA's certificate ${foreign}; plain HTTP ${plain}`,
    );
  });

  it('cutting one state’s link costs only that state: a partial answer within its timeout, the others complete; back when the link is', async () => {
    const fr = hostOf('fr');
    ip('-n', SWITCH, 'link', 'set', fr.outer, 'down');
    try {
      const answer = await ask();
      expect(answer.status).toBe(200);
      const [subject] = answer.body.data!.subjects;
      expect(subject.heldBy).toEqual(['NL', 'BE']);
      expect(subject.travel.some((t) => t.source.memberState === 'FR')).toBe(false);
      expect(answer.body.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'MEMBER_UNAVAILABLE', memberState: 'FR', reason: 'TIMEOUT' }) }),
      ]);
      console.log(
        `FR cut off: answered in ${Math.round(answer.ms)} ms (FR's timeout ${TIMEOUT_MS} ms): ${JSON.stringify(answer.body.data)} errors ${JSON.stringify(answer.body.errors)}`,
      );
    } finally {
      ip('-n', SWITCH, 'link', 'set', fr.outer, 'up');
    }
    // Each replica has its own circuit breaker: ask until FR is back in the answers (a breaker opened by the cut closes after its probe).
    let heldBy: string[] = [];
    for (let i = 0; i < 60 && heldBy.length < 3; i++) {
      const answer = await ask();
      heldBy = answer.body.data?.subjects[0]?.heldBy ?? [];
      if (heldBy.length < 3) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(heldBy).toEqual(['NL', 'BE', 'FR']);
  });
});
