import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { MEMBER_STATES, MEMBER_STATE_NAMES, type MemberState } from '../common/member-states.ts';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { MAX_SEED_PERSONS, isSeeded, seedInfo, seedMember } from '../subgraphs/member/seed.ts';
import { seedProgressBar } from './seed-progress.ts';
import { EARLIEST_AS_OF, LATEST_AS_OF, isAsOfDate, todayUtc } from '../subgraphs/member/demo-data/clock.ts';
import { ConfigError } from '../common/config-error.ts';
import { DEFAULT_DATA_DIR, DEFAULT_DEMO_PERSONS, DEFAULT_FIRST_MEMBER_PORT, DEFAULT_GATEWAY_PORT, DEFAULT_MEMBER_TIMEOUT_MS } from '../common/defaults.ts';
import { devStates, type MemberConfig } from '../gateway/members-config.ts';
import { startGateway, type RunningGateway } from '../gateway/server.ts';
import { loadSupergraph } from '../gateway/supergraph.ts';
import { asConfigError, parseLogLevel, parsePort, parsePositiveInt } from './flags.ts';
import { DEFAULT_KEYS_DIR, ensureKeyPair } from '../common/dev-keys.ts';
import { auditKeyName, devAuditLocation } from '../common/audit-log.ts';
import { devIssuer, devKeyName } from '../common/dev-identity.ts';
import { buildGatewaySecurity } from '../gateway/security.ts';
import { devPersonas } from '../gateway/dev-personas.ts';
import { SupervisedChild } from './supervisor.ts';
import { devTlsDir, ensureDevCertificates, spkiPin } from '../common/tls.ts';
import { createAgent, type PeerTls } from '../gateway/http-client.ts';
import type { Agent } from 'undici';
import { fromPackageRoot } from '../common/package-root.ts';

/** The repository's rover.yaml, wherever `hague dev` is started from. */
const ROVER_YAML = fromPackageRoot('rover.yaml');
/** The demo network's release policies (config/policies/<STATE>.yaml). */
const POLICIES_DIR = fromPackageRoot('config', 'policies');

interface DevFlags {
  members: string;
  persons: string;
  dataDir: string;
  keysDir: string;
  port: string;
  host: string;
  memberPort: string;
  config: string;
  logLevel: string;
  asOf?: string;
  keepClock?: boolean;
  insecureHttp?: boolean;
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('Run the whole demo network on this machine: member states with seeded data, each its own process (restarted if it exits), and the gateway')
    .option('--members <n>', `how many member states: 5 (NL BE FR DE ES) up to ${MEMBER_STATES.length} (all)`, '5')
    .option('--persons <n>', `persons seeded per state on first start, 1 to ${MAX_SEED_PERSONS}`, String(DEFAULT_DEMO_PERSONS))
    .option('--data-dir <dir>', 'one SQLite file per state: <dir>/<STATE>.db, reused on the next start', DEFAULT_DATA_DIR)
    .option('--keys-dir <dir>', "dev keys: the gateway's and each state's dev identity provider (generated on first start)", DEFAULT_KEYS_DIR)
    .option('--port <port>', 'gateway port', String(DEFAULT_GATEWAY_PORT))
    .option('--host <host>', 'address the gateway and the states bind', '127.0.0.1')
    .option('--member-port <port>', 'first member state port; the others follow (0: any free ports)', String(DEFAULT_FIRST_MEMBER_PORT))
    .option('--config <file>', 'rover supergraph config, composed at start', ROVER_YAML)
    .option('--log-level <level>', 'log level of the gateway and the states: fatal, error, warn, info, debug (debug: one line per request)', 'warn')
    .option(
      '--as-of <YYYY-MM-DD>',
      'demo clock: "now" for planned and recent travel, as hague seed --as-of (default: today, UTC); data seeded for another day is re-placed on it',
    )
    .option('--keep-clock', 'keep the demo clock the data was seeded with (no re-placing on a later day)')
    .option(
      '--insecure-http',
      'development only: the member states serve plain HTTP instead of mutual TLS (default: a dev CA and certificates in <keys-dir>/tls, minted on first start)',
    )
    .addHelpText('after', '\nExamples:\n  npm start\n  hague dev --members 27 --persons 200\n  hague dev --data-dir /tmp/hague --port 4400 --member-port 4401')
    .action(async (flags: DevFlags) => {
      const count = Number(flags.members);
      if (!Number.isInteger(count) || count < 1 || count > MEMBER_STATES.length) {
        throw new ConfigError(
          `--members '${flags.members}' must be a number of member states from 1 to ${MEMBER_STATES.length} (5: NL BE FR DE ES, ${MEMBER_STATES.length}: all)`,
        );
      }
      const persons = parsePositiveInt(flags.persons, '--persons', MAX_SEED_PERSONS);
      const asOf = flags.asOf ?? todayUtc();
      if (!isAsOfDate(asOf))
        throw new ConfigError(`--as-of '${flags.asOf}' is not a date YYYY-MM-DD from ${EARLIEST_AS_OF} to ${LATEST_AS_OF}, e.g. 2026-11-01`);
      if (persons < 1) throw new ConfigError(`--persons '${flags.persons}' must be at least 1`);
      const port = parsePort(flags.port);
      const logLevel = parseLogLevel(flags.logLevel);
      const firstMemberPort = parsePort(flags.memberPort, '--member-port');
      if (firstMemberPort !== 0 && firstMemberPort + count - 1 > 65535)
        throw new ConfigError(`--member-port ${firstMemberPort}: ${count} states do not fit below port 65535`);
      try {
        mkdirSync(flags.dataDir, { recursive: true });
      } catch (error) {
        throw new ConfigError(`--data-dir ${flags.dataDir}: cannot create it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      await runDev({
        states: devStates(count),
        persons,
        dataDir: flags.dataDir,
        keysDir: flags.keysDir,
        port,
        host: flags.host,
        firstMemberPort,
        config: flags.config,
        logLevel,
        asOf,
        keepClock: flags.keepClock === true,
        insecureHttp: flags.insecureHttp === true,
      });
    });
}

async function runDev(o: {
  states: MemberState[];
  persons: number;
  dataDir: string;
  keysDir: string;
  port: number;
  host: string;
  firstMemberPort: number;
  config: string;
  logLevel: string;
  asOf: string;
  keepClock: boolean;
  insecureHttp: boolean;
}): Promise<void> {
  // Each state is its own `hague member` process (cli/supervisor.ts restarts one that crashes); the
  // gateway runs here, in the supervisor, which is also what one Ctrl-C stops.
  const children: SupervisedChild[] = [];
  let gateway: RunningGateway | undefined;
  let stopping: Promise<void> | undefined;
  /** Asks the states' /readyz over mutual TLS, with the gateway's client certificate. */
  let readyAgent: Agent | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      await gateway?.close().catch((e) => console.error(`gateway: ${(e as Error).message}`));
      await Promise.all(children.map((c) => c.stop().catch((e) => console.error(`${c.spec.name}: ${(e as Error).message}`))));
      await readyAgent?.close().catch(() => {});
    })());

  // Ctrl-C during a long first-start seed must stop too: handlers are installed before anything starts.
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      for (const child of children) child.kill();
      console.error('forced stop');
      process.exit(1);
    }
    console.log(`\n${signal}: stopping the gateway and ${o.states.length} member states...`);
    void stopAll().then(() => {
      console.log('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    // Compose first: a broken rover.yaml should fail before any state starts.
    const supergraph = loadSupergraph({ config: o.config });
    const note = (o.config !== ROVER_YAML ? o.config : relative(process.cwd(), o.config)) || o.config;
    console.log(`Hague dev network: ${o.states.length} member states, data in ${o.dataDir}, supergraph composed from ${note}`);

    // Dev keys (git-ignored): the gateway's context-token key, one dev identity provider and one audit key per state.
    await ensureKeyPair(o.keysDir, 'gateway');
    for (const state of o.states) {
      await ensureKeyPair(o.keysDir, devKeyName(state));
      await ensureKeyPair(o.keysDir, auditKeyName(state));
    }
    // Mutual TLS between the gateway and the states (unless --insecure-http): a dev CA, one server
    // certificate per state and the gateway's client certificate, minted on first start (common/tls.ts).
    const certificates = o.insecureHttp ? undefined : await ensureDevCertificates(o.keysDir, o.states, [o.host]);
    if (!certificates) console.error('WARNING: --insecure-http: the member states serve plain HTTP without TLS (development only)');
    if (certificates && certificates.minted.length > 0)
      console.log(`Minted dev certificates in ${devTlsDir(o.keysDir)}: ${certificates.minted.length} file(s)`);
    const gatewayAudit = { location: devAuditLocation(o.dataDir, 'gateway'), signingKey: (await ensureKeyPair(o.keysDir, auditKeyName('gateway'))).privateJwk };

    // Seeded here, one state after the other, before any state serves: the same data as ever, and a
    // restarted state finds its file as it left it. Seeding is one transaction (all or nothing), so
    // "holds records" means "seeded".
    const seeded = new Map<MemberState, string>();
    for (const state of o.states) {
      if (stopping) return;
      const database = join(o.dataDir, `${state}.db`);
      seeded.set(state, await prepareDemoStore(database, state, { persons: o.persons, asOf: o.asOf, keepClock: o.keepClock }));
    }
    if (stopping) return;

    // Fixed ports for the whole run (with --member-port 0, free ones picked now): a restarted state
    // comes back where the gateway expects it.
    const ports: number[] = [];
    for (let i = 0; i < o.states.length; i++) ports.push(o.firstMemberPort === 0 ? await freePort(o.host, ports) : o.firstMemberPort + i);
    // A port held by another program (an earlier `hague dev`?) is refused here: its /readyz must not pass for a state's.
    for (const [i, state] of o.states.entries()) {
      const refused = o.firstMemberPort === 0 ? undefined : await bindError(o.host, ports[i]);
      if (refused === 'EADDRINUSE') {
        throw new ConfigError(
          `member ${state}: port ${ports[i]} is already in use; stop the other process or choose another --member-port (0: any free ports)`,
        );
      }
      if (refused) throw new ConfigError(`member ${state}: cannot listen on ${o.host} port ${ports[i]} (${refused}); fix --host or --member-port`);
    }
    const configs: MemberConfig[] = [];
    const gatewayKeyFile = join(o.keysDir, 'gateway.jwk');
    const scheme = certificates ? 'https' : 'http';
    const clientCertificate = certificates && { certFile: certificates.gateway.certFile, keyFile: certificates.gateway.keyFile };
    const baseUrl = (i: number) => `${scheme}://${o.host.includes(':') ? `[${o.host}]` : o.host}:${ports[i]}`;
    if (certificates && clientCertificate) {
      const peer: PeerTls = {
        ca: readFileSync(certificates.caFile, 'utf8'),
        cert: readFileSync(clientCertificate.certFile, 'utf8'),
        key: readFileSync(clientCertificate.keyFile, 'utf8'),
      };
      readyAgent = createAgent(new Map(o.states.map((_, i) => [baseUrl(i), peer])));
    }
    for (const [i, state] of o.states.entries()) {
      const base = baseUrl(i);
      const tls = certificates && {
        certFile: certificates.members[state].certFile,
        keyFile: certificates.members[state].keyFile,
        // Pinned too: the dev network exercises the same checks as a production gateway with pins.
        pin: spkiPin(readFileSync(certificates.members[state].certFile)),
      };
      children.push(
        new SupervisedChild({
          label: state,
          name: `member ${state}`,
          // Ready: listening, and its database answers.
          readyUrl: `${base}/readyz`,
          readyDispatcher: readyAgent,
          args: [
            'member',
            ...['--state', state, '--port', String(ports[i]), '--host', o.host, '--database', join(o.dataDir, `${state}.db`)],
            ...['--gateway-key', gatewayKeyFile, '--policies', POLICIES_DIR, '--keys-dir', o.keysDir, '--log-level', o.logLevel],
            // Each state's audit apart from its records: <data-dir>/<STATE>.audit.db, signed with its own audit key.
            ...['--audit', devAuditLocation(o.dataDir, state)],
            // Mutual TLS: its own certificate; only the gateway's client certificate (the dev CA's) is answered.
            ...(certificates && tls ? ['--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--tls-client-ca', certificates.caFile] : []),
          ],
        }),
      );
      configs.push({
        code: state,
        name: MEMBER_STATE_NAMES[state],
        url: `${base}/graphql`,
        timeoutMs: DEFAULT_MEMBER_TIMEOUT_MS,
        issuer: devIssuer(state),
        publicKeys: [{ file: join(o.keysDir, `${devKeyName(state)}.jwk`) }],
        ...(certificates && tls ? { tls: { caFile: certificates.caFile, pins: [tls.pin] } } : {}),
      });
    }
    // The states start in parallel, and the gateway meanwhile (it asks them nothing to start).
    const statesReady = Promise.all(children.map((c) => c.start()));
    statesReady.catch(() => {}); // awaited below, after the gateway
    try {
      const security = await buildGatewaySecurity({ members: configs, keysDir: o.keysDir, acceptDevKeys: true });
      gateway = await startGateway({
        supergraphSdl: supergraph.sdl,
        audit: gatewayAudit,
        members: configs,
        port: o.port,
        host: o.host,
        logger: { level: o.logLevel },
        security,
        explorerPersonas: devPersonas(o.states, o.keysDir),
        clientCertificate,
      });
    } catch (error) {
      throw asConfigError(error, 'gateway');
    }
    await statesReady;
    if (stopping) return;
    for (const [i, state] of o.states.entries()) {
      const database = join(o.dataDir, `${state}.db`);
      console.log(`  ${state} ${MEMBER_STATE_NAMES[state].padEnd(11)} ${configs[i].url}  ${database} (${seeded.get(state)}) pid ${children[i].pid}`);
    }
    const base = gateway.url.replace(/\/graphql$/, '');
    console.log(`Explorer    ${base}/  (pick a persona and a purpose, run a saved example)`);
    console.log(`Gateway     ${gateway.url}  pid ${process.pid}`);
    console.log(`            ${base}/healthz  ${base}/readyz  ${base}/metrics`);
    if (certificates) {
      console.log(
        `Mutual TLS  the states serve HTTPS and answer only the gateway's client certificate; dev CA ${certificates.caFile}, certificates in ${devTlsDir(o.keysDir)}`,
      );
      console.log('            (the gateway itself serves plain HTTP to browsers and apps in dev; put TLS in front of it between hosts)');
    } else {
      console.log('!!!!!!!!!!  --insecure-http: the member states serve PLAIN HTTP, no TLS: records and context tokens cross the wire in clear text.');
      console.log('!!!!!!!!!!  Development only. Without the flag, hague dev runs the states over mutual TLS.');
    }
    console.log(`Keys        ${o.keysDir} (dev only; release policies in ${relative(process.cwd(), POLICIES_DIR) || POLICIES_DIR})`);
    console.log('Each state runs as its own process, its output marked [NL] etc.; one that exits is restarted (0.5 s, 1 s, 2 s ... up to 30 s).');
    console.log('Try:');
    console.log(`  TOKEN=$(npx hague token --state NL --roles analyst --clearance SECRET --keys-dir ${o.keysDir})`);
    console.log(`  curl -s ${gateway.url} -H "Authorization: Bearer $TOKEN" -H 'X-Hague-Purpose: counter-terrorism' -H 'content-type: application/json' \\`);
    console.log(`    -d '{"query":"{ persons(filter: { name: \\"Belhaouari\\" }) { memberState id givenName familyName matchScore } }"}'`);
    console.log('Ctrl-C to stop');
  } catch (error) {
    await stopAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    throw error;
  }
}

/**
 * One state's demo store, ready to serve: seeded on first start; on a later start re-placed on the
 * demo clock when the data was seeded on another day (so "planned" still means ahead of today and
 * "recent" still recent), unless `keepClock`. The same persons, ids and stories; only dates move.
 * Returns the line `hague dev` prints for the state.
 */
export async function prepareDemoStore(
  database: string,
  state: MemberState,
  o: { persons: number; asOf: string; keepClock?: boolean; progress?: boolean },
): Promise<string> {
  const existed = existsSync(database);
  let store: Store;
  try {
    store = await openStore(database, state);
  } catch (error) {
    throw asConfigError(error, `member ${state}`);
  }
  try {
    const seed = async (persons: number, reset: boolean, variant?: number) => {
      const started = Date.now();
      const bar = o.progress === false ? undefined : seedProgressBar(state, persons);
      bar?.start(persons, 0);
      const result = await seedMember(store, { persons, seed: variant, asOf: o.asOf, reset, onProgress: (done) => bar?.update(done) }).finally(() =>
        bar?.stop(),
      );
      return { persons: result.persons, seconds: ((Date.now() - started) / 1000).toFixed(1) };
    };
    if (!(await isSeeded(store))) {
      const done = await seed(o.persons, false);
      return `seeded ${done.persons} persons on the demo clock ${o.asOf} in ${done.seconds} s`;
    }
    const info = await seedInfo(store);
    if (info && info.asOf !== o.asOf && !o.keepClock) {
      const done = await seed(info.persons, true, info.seed);
      return `re-placed ${done.persons} persons on the demo clock ${o.asOf} (seeded for ${info.asOf}) in ${done.seconds} s`;
    }
    const clock = info ? `, demo clock ${info.asOf}` : '';
    return `${existed ? 'reused' : 'opened'}, ${await personCount(store)} persons${clock}`;
  } finally {
    await store.close();
  }
}

async function personCount(store: Store): Promise<number> {
  const row = await store.db
    .selectFrom('persons')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Why `port` on `host` cannot be bound right now (EADDRINUSE, EACCES, ...), or undefined: it can. */
async function bindError(host: string, port: number): Promise<string | undefined> {
  const server = createServer();
  const error = await new Promise<string | undefined>((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    server.listen(port, host, () => resolve(undefined));
  });
  if (error === undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  return error;
}

/** A port free on `host` right now (bound, then released), other than those already taken. */
async function freePort(host: string, taken: number[]): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!taken.includes(port)) return port;
  }
}
