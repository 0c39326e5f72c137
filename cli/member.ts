import type { Command } from 'commander';
import { parseMemberState } from '../common/member-states.ts';
import { startMember, type MemberTls } from '../subgraphs/member/server.ts';
import { readPemFile } from '../common/tls.ts';
import { keyFingerprint, networkKeyFile } from '../subgraphs/member/match-keys.ts';
import { ConfigError } from '../common/config-error.ts';
import { asConfigError, auditLocation, parseLogLevel, parsePort, timestampAuthority } from './flags.ts';
import { followSupervisor } from './supervisor.ts';
import { existsSync } from 'node:fs';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { CONTEXT_TOKEN_ALGORITHM } from '../common/context-token.ts';
import { DEFAULT_JWKS_MAX_AGE_MS, DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS, fileKeySet, remoteKeySet, type KeySet } from '../common/key-set.ts';
import { isHttpUrl } from '../common/yaml-file.ts';
import { auditKeyName, devAuditLocation, displayLocation } from '../common/audit-log.ts';
import { isPostgresUrl } from '../subgraphs/member/store.ts';
import { dirname } from 'node:path';
import { DEFAULT_DATA_DIR, DEFAULT_FIRST_MEMBER_PORT, DEFAULT_KEYS_DIR, DEFAULT_POLICIES_DIR } from '../common/defaults.ts';

export function registerMember(program: Command): void {
  program
    .command('member')
    .description("Serve one member state's subgraph over its own database")
    .requiredOption('--state <code>', 'member state code, e.g. NL')
    .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_FIRST_MEMBER_PORT))
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--database <file|url>', 'SQLite file, or postgres://user@host:port/db', `${DEFAULT_DATA_DIR}/<STATE>.db`)
    .option('--agency <name>', 'agency named in every contact point')
    .option(
      '--gateway-key <file>',
      `the gateway's public key (JWK) or key set (JWK Set) file: only requests one of its keys signed are answered; re-read when it changes (default ${DEFAULT_KEYS_DIR}/gateway.jwk)`,
    )
    .option(
      '--gateway-jwks <url>',
      "or: the URL of the gateway's published key set (https://<gateway>/.well-known/hague-gateway-keys.json), cached and refreshed",
    )
    .option('--policies <dir>', "folder of release policies; <dir>/<STATE>.yaml is this state's", DEFAULT_POLICIES_DIR)
    .option(
      '--audit <file|url>',
      "this state's own audit log, apart from its records: a SQLite file or postgres:// URL (default: <database folder>/<STATE>.audit.db, or the same PostgreSQL database, schema hague_audit)",
    )
    .option(
      '--keys-dir <dir>',
      "folder of this state's audit key audit-<STATE>.jwk and the network pseudonymisation key network-pseudonym.key (generated on first start)",
      DEFAULT_KEYS_DIR,
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent; one line per request only at debug and trace', 'info')
    .option('--audit-tsa <url>', 'an RFC 3161 time-stamp authority: every signed checkpoint of the audit log is time-stamped by it')
    .option('--tls-cert <pem>', "serve HTTPS with mutual TLS: this state's certificate (PEM; with --tls-key and --tls-client-ca)")
    .option('--tls-key <pem>', 'the private key of --tls-cert (PEM)')
    .option('--tls-client-ca <pem>', "the CA that issues the gateway's client certificates (PEM): only clients with one complete the TLS handshake")
    .addHelpText(
      'after',
      '\nExample:\n  hague seed --state NL --persons 1000 --database nl.db\n  hague member --state NL --port 4101 --database nl.db \\\n    --tls-cert nl.pem --tls-key nl.key --tls-client-ca gateway-ca.pem',
    )
    .action(
      async (options: {
        state: string;
        port: string;
        host: string;
        database: string;
        agency?: string;
        gatewayKey?: string;
        gatewayJwks?: string;
        policies: string;
        audit?: string;
        auditTsa?: string;
        keysDir: string;
        logLevel: string;
        tlsCert?: string;
        tlsKey?: string;
        tlsClientCa?: string;
      }) => {
        const state = parseMemberState(options.state, '--state');
        const logLevel = parseLogLevel(options.logLevel);
        const port = parsePort(options.port);
        // Checked first: a half-given TLS setup is refused before anything is opened.
        const tls = memberTlsFlags(options);
        const database = options.database.replace('<STATE>', state);
        if (options.database.includes('<STATE>')) {
          const { mkdirSync } = await import('node:fs');
          mkdirSync(DEFAULT_DATA_DIR, { recursive: true });
        }
        const { keys: gatewayPublicKey, described: trusted } = await gatewayTrust(options);
        // The default sits beside the records (whose folder must exist: openStore says so); an explicit --audit folder is created.
        const audit = options.audit ? auditLocation(options.audit) : isPostgresUrl(database) ? database : devAuditLocation(dirname(database), state);
        // A member that finds no network key creates one (dev); between hosts that is a mistake worth saying loudly.
        const newNetworkKey = !existsSync(networkKeyFile(options.keysDir));
        let member;
        try {
          member = await startMember({
            state,
            database,
            port,
            host: options.host,
            agency: options.agency,
            logger: { level: logLevel },
            gatewayPublicKey,
            policiesDir: options.policies,
            // The network pseudonymisation key (members only): match keys are computed with it at start.
            networkKeyFile: networkKeyFile(options.keysDir),
            audit: {
              location: audit,
              signingKey: (await ensureKeyPair(options.keysDir, auditKeyName(state))).privateJwk,
              timestampAuthority: timestampAuthority(options.auditTsa),
            },
            tls,
          });
        } catch (error) {
          throw asConfigError(error, `member ${state}`);
        }
        console.log(`member ${state}: subgraph at ${member.url} over ${member.store.dialect} ${member.store.location}`);
        console.log(`answers only context tokens signed with ${trusted}`);
        console.log(
          tls
            ? `mutual TLS: certificate ${options.tlsCert}; only clients with a certificate of ${options.tlsClientCa} are answered (/healthz and /readyz too)`
            : 'plain HTTP, no TLS: for development only (give --tls-cert, --tls-key and --tls-client-ca between hosts)',
        );
        console.log(
          `release policy: ${options.policies}/${state}.yaml; audit log: ${displayLocation(audit)}, signed with ${options.keysDir}/${auditKeyName(state)}.jwk`,
        );
        // Which key the match keys were computed with: during a rotation the operator checks each member's fingerprint against `hague linking status`.
        const keyring = member.networkKeyring!;
        const [previous] = [...keyring.keys.keys()].filter((epoch) => epoch !== keyring.current);
        const fingerprint = (epoch: string) => `${epoch} (fingerprint ${keyFingerprint(keyring.keys.get(epoch)!)})`;
        console.log(
          `network pseudonymisation key: epoch ${fingerprint(keyring.current)}${previous ? `, still linking ${fingerprint(previous)}` : ''}; ${keyring.file}`,
        );
        if (newNetworkKey) {
          console.error(
            `warning: ${keyring.file} did not exist, so this member created a NEW network pseudonymisation key: its records link with no other state's ` +
              "until every member holds the same key file (copy it from the network's key holder over a secure channel; `hague linking status` shows its fingerprint)",
          );
        }
        let closing: Promise<void> | undefined;
        const stop = () => (closing ??= member.close().then(() => process.exit(0)));
        // Under `hague dev` (cli/supervisor.ts): Ctrl-C is the supervisor's; exit when it is gone.
        if (!followSupervisor(stop)) {
          console.log('Ctrl-C to stop');
          process.once('SIGINT', stop);
        }
        process.once('SIGTERM', stop);
      },
    );
}

/** --tls-cert, --tls-key and --tls-client-ca: all three (mutual TLS) or none (plain HTTP). */
function memberTlsFlags(options: { tlsCert?: string; tlsKey?: string; tlsClientCa?: string }): MemberTls | undefined {
  const given = { '--tls-cert': options.tlsCert, '--tls-key': options.tlsKey, '--tls-client-ca': options.tlsClientCa };
  const missing = Object.entries(given)
    .filter(([, v]) => v === undefined)
    .map(([flag]) => flag);
  if (missing.length === 3) return undefined;
  if (missing.length > 0) {
    throw new ConfigError(`mutual TLS needs --tls-cert, --tls-key and --tls-client-ca together; missing ${missing.join(' and ')}`);
  }
  try {
    return {
      cert: readPemFile(options.tlsCert!, 'certificate', '--tls-cert'),
      key: readPemFile(options.tlsKey!, 'private key', '--tls-key'),
      clientCa: readPemFile(options.tlsClientCa!, 'certificate', '--tls-client-ca'),
    };
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/**
 * The gateway keys this state trusts: --gateway-jwks (a URL, cached and refreshed like an identity
 * provider's JWKS), or --gateway-key (a JWK or JWK Set file, re-read when it changes; default
 * <keys-dir of hague dev>/gateway.jwk). Either way a key added or removed takes effect without a restart.
 */
async function gatewayTrust(options: { gatewayKey?: string; gatewayJwks?: string }): Promise<{ keys: KeySet; described: string }> {
  if (options.gatewayKey !== undefined && options.gatewayJwks !== undefined) {
    throw new ConfigError('give --gateway-key <file> or --gateway-jwks <url>, not both: the state trusts one source of gateway keys');
  }
  if (options.gatewayJwks !== undefined) {
    if (!isHttpUrl(options.gatewayJwks)) throw new ConfigError(`--gateway-jwks ${options.gatewayJwks} is not an http(s) URL`);
    return {
      keys: remoteKeySet(options.gatewayJwks, [CONTEXT_TOKEN_ALGORITHM]),
      described: `the gateway key set at ${options.gatewayJwks} (kept ${DEFAULT_JWKS_MAX_AGE_MS / 60_000} min, fetched again on an unknown kid at most every ${DEFAULT_JWKS_MIN_REFRESH_INTERVAL_MS / 1000} s)`,
    };
  }
  const file = options.gatewayKey ?? `${DEFAULT_KEYS_DIR}/gateway.jwk`;
  if (!existsSync(file)) {
    throw new ConfigError(
      `--gateway-key ${file} does not exist; give the gateway's public key file or key set (the gateway prints its path at start; \`hague dev\` creates one), or --gateway-jwks <url>`,
    );
  }
  try {
    const keys = await fileKeySet(file, [CONTEXT_TOKEN_ALGORITHM], { onError: (error) => console.error(`warning: ${error.message}`) });
    return { keys, described: `the gateway key(s) in ${file} (re-read when it changes)` };
  } catch (error) {
    throw new ConfigError(`--gateway-key ${file} is not a usable JWK or JWK Set file (${(error as Error).message})`);
  }
}
