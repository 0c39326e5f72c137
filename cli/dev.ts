import { existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { MEMBER_STATES, MEMBER_STATE_NAMES, type MemberState } from '../common/member-states.ts';
import { startMember, type RunningMember } from '../subgraphs/member/server.ts';
import { MAX_SEED_PERSONS, isSeeded, seedMember } from '../subgraphs/member/seed.ts';
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

/** The repository's rover.yaml, wherever `hague dev` is started from. */
const ROVER_YAML = fileURLToPath(new URL('../rover.yaml', import.meta.url));
/** The demo network's release policies (config/policies/<STATE>.yaml). */
const POLICIES_DIR = fileURLToPath(new URL('../config/policies', import.meta.url));

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
}

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('Run the whole demo network on this machine: member states with seeded data, and the gateway')
    .option('--members <n>', `how many member states: 5 (NL BE FR DE ES) up to ${MEMBER_STATES.length} (all)`, '5')
    .option('--persons <n>', `persons seeded per state on first start, 1 to ${MAX_SEED_PERSONS}`, String(DEFAULT_DEMO_PERSONS))
    .option('--data-dir <dir>', 'one SQLite file per state: <dir>/<STATE>.db, reused on the next start', DEFAULT_DATA_DIR)
    .option('--keys-dir <dir>', "dev keys: the gateway's and each state's dev identity provider (generated on first start)", DEFAULT_KEYS_DIR)
    .option('--port <port>', 'gateway port', String(DEFAULT_GATEWAY_PORT))
    .option('--host <host>', 'address the gateway and the states bind', '127.0.0.1')
    .option('--member-port <port>', 'first member state port; the others follow (0: any free ports)', String(DEFAULT_FIRST_MEMBER_PORT))
    .option('--config <file>', 'rover supergraph config, composed at start', ROVER_YAML)
    .option('--log-level <level>', 'gateway log level: fatal, error, warn, info, debug', 'warn')
    .addHelpText('after', '\nExamples:\n  npm start\n  hague dev --members 27 --persons 200\n  hague dev --data-dir /tmp/hague --port 4400 --member-port 4401')
    .action(async (flags: DevFlags) => {
      const count = Number(flags.members);
      if (!Number.isInteger(count) || count < 1 || count > MEMBER_STATES.length) {
        throw new ConfigError(
          `--members '${flags.members}' must be a number of member states from 1 to ${MEMBER_STATES.length} (5: NL BE FR DE ES, ${MEMBER_STATES.length}: all)`,
        );
      }
      const persons = parsePositiveInt(flags.persons, '--persons', MAX_SEED_PERSONS);
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
}): Promise<void> {
  const members: RunningMember[] = [];
  let gateway: RunningGateway | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      await gateway?.close().catch((e) => console.error(`gateway: ${(e as Error).message}`));
      await Promise.all(members.map((m) => m.close().catch((e) => console.error(`member: ${(e as Error).message}`))));
    })());

  // Ctrl-C during a long first-start seed must stop too: handlers are installed before anything starts.
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      console.error('forced stop');
      process.exit(1);
    }
    console.log(`\n${signal}: stopping the gateway and ${members.length} member states...`);
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

    // Dev keys (git-ignored): the gateway's context-token key, and one dev identity provider per state.
    const gatewayKey = await ensureKeyPair(o.keysDir, 'gateway');
    for (const state of o.states) await ensureKeyPair(o.keysDir, devKeyName(state));
    const gatewayAudit = { location: devAuditLocation(o.dataDir, 'gateway'), signingKey: (await ensureKeyPair(o.keysDir, auditKeyName('gateway'))).privateJwk };
    const configs: MemberConfig[] = [];
    for (const [i, state] of o.states.entries()) {
      if (stopping) return;
      const database = join(o.dataDir, `${state}.db`);
      const existed = existsSync(database);
      let member: RunningMember;
      try {
        member = await startMember({
          state,
          database,
          port: o.firstMemberPort === 0 ? 0 : o.firstMemberPort + i,
          host: o.host,
          gatewayPublicKey: gatewayKey.publicJwk,
          policiesDir: POLICIES_DIR,
          // Each state's audit apart from its records: <data-dir>/<STATE>.audit.db, signed with its own audit key.
          audit: { location: devAuditLocation(o.dataDir, state), signingKey: (await ensureKeyPair(o.keysDir, auditKeyName(state))).privateJwk },
        });
      } catch (error) {
        throw asConfigError(error, `member ${state}`);
      }
      members.push(member);
      let what: string;
      // Seeding is one transaction (all or nothing), so "holds records" means "seeded".
      if (!(await isSeeded(member.store)) && o.persons > 0) {
        const started = Date.now();
        const result = await seedMember(member.store, { persons: o.persons });
        what = `seeded ${result.persons} persons in ${((Date.now() - started) / 1000).toFixed(1)} s`;
      } else {
        what = `${existed ? 'reused' : 'opened'}, ${await personCount(member)} persons`;
      }
      configs.push({
        code: state,
        name: MEMBER_STATE_NAMES[state],
        url: member.url,
        timeoutMs: DEFAULT_MEMBER_TIMEOUT_MS,
        issuer: devIssuer(state),
        publicKeys: [{ file: join(o.keysDir, `${devKeyName(state)}.jwk`) }],
      });
      console.log(`  ${state} ${MEMBER_STATE_NAMES[state].padEnd(11)} ${member.url}  ${database} (${what})`);
    }
    if (stopping) return;

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
      });
    } catch (error) {
      throw asConfigError(error, 'gateway');
    }
    const base = gateway.url.replace(/\/graphql$/, '');
    console.log(`Explorer    ${base}/  (pick a persona and a purpose, run a saved example)`);
    console.log(`Gateway     ${gateway.url}`);
    console.log(`            ${base}/healthz  ${base}/readyz  ${base}/metrics`);
    console.log(`Keys        ${o.keysDir} (dev only; release policies in ${relative(process.cwd(), POLICIES_DIR) || POLICIES_DIR})`);
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

async function personCount(member: RunningMember): Promise<number> {
  const row = await member.store.db
    .selectFrom('persons')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
