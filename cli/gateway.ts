import type { Command } from 'commander';
import { ConfigError } from '../common/config-error.ts';
import { loadMembersConfig } from '../gateway/members-config.ts';
import { startGateway } from '../gateway/server.ts';
import { auditKeyName, devAuditLocation, displayLocation } from '../common/audit-log.ts';
import { DEFAULT_DATA_DIR } from '../common/defaults.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { loadSupergraph } from '../gateway/supergraph.ts';
import { asConfigError, auditLocation, parseLogLevel, parsePort, timestampAuthority } from './flags.ts';
import { buildGatewaySecurity } from '../gateway/security.ts';
import { DEFAULT_KEYS_DIR } from '../common/dev-keys.ts';
import { GATEWAY_KEYS_PATH } from '../gateway/published-keys.ts';

interface GatewayFlags {
  supergraph?: string;
  config?: string;
  members: string;
  port?: string;
  host?: string;
  logLevel: string;
  keysDir: string;
  auditTsa?: string;
  acceptDevKeys?: boolean;
  strictAuthorization?: boolean;
  audit: string;
  contextKey?: string;
  publishKeys?: string;
}

export function registerGateway(program: Command): void {
  program
    .command('gateway')
    .description('Serve the federated gateway: one schema over every member state, fanned out, partial answers when a state is down')
    .option('--supergraph <file>', 'composed supergraph (hague compose)')
    .option('--config <file>', 'or: a rover supergraph config, composed at start (e.g. rover.yaml)')
    .option('--members <file>', 'the network: member states, URLs, timeouts', 'config/members.yaml')
    .option('--port <port>', 'port to listen on (default: gateway.port in the members config, else 4000)')
    .option('--host <host>', 'address to bind (default: gateway.host in the members config, else 127.0.0.1)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
    .option('--keys-dir <dir>', "folder of the gateway's context-token key gateway.jwk (generated on first start)", DEFAULT_KEYS_DIR)
    .option('--context-key <file>', 'sign context tokens with this private JWK (hague gateway-key new) instead of <keys-dir>/gateway.jwk')
    .option(
      '--publish-keys <file>',
      `a JWK Set of further public keys to publish at ${GATEWAY_KEYS_PATH} beside the signing key's (the next or previous key of a rotation); re-read at every fetch`,
    )
    .option(
      '--audit <file|url>',
      "the gateway's own audit log (hash-chained, signed with <keys-dir>/audit-gateway.jwk, generated on first start): a SQLite file or postgres:// URL",
      devAuditLocation(DEFAULT_DATA_DIR, 'gateway'),
    )
    .option('--audit-tsa <url>', 'an RFC 3161 time-stamp authority: every signed checkpoint of the audit log is time-stamped by it')
    .option('--accept-dev-keys', 'accept tokens of the dev identity providers (issuer hague-dev:<STATE>); never in production')
    .option('--strict-authorization', 'reject a whole request that asks for a forbidden field (default: that field answers null + FORBIDDEN)')
    .addHelpText(
      'after',
      '\nExamples:\n  hague gateway --config rover.yaml --members config/members.yaml --port 4000\n  hague compose && hague gateway --supergraph supergraph.graphql',
    )
    .action(async (flags: GatewayFlags) => {
      if (!flags.supergraph && !flags.config) throw new ConfigError('give --supergraph supergraph.graphql or --config rover.yaml');
      const logLevel = parseLogLevel(flags.logLevel);
      let gateway;
      try {
        const network = loadMembersConfig(flags.members);
        const supergraph = loadSupergraph({ supergraph: flags.supergraph, config: flags.config });
        for (const hint of supergraph.hints) if (/federation_version/.test(hint)) console.error(`warning: ${hint}`);
        const port = flags.port !== undefined ? parsePort(flags.port) : network.gateway.port;
        const security = await buildGatewaySecurity({
          members: network.members,
          keysDir: flags.keysDir,
          acceptDevKeys: flags.acceptDevKeys,
          strictAuthorization: flags.strictAuthorization ?? network.gateway.strictAuthorization,
          jwks: network.gateway.jwks,
          contextKeyFile: flags.contextKey,
          publishKeysFile: flags.publishKeys,
        });
        gateway = await startGateway({
          security,
          supergraphSdl: supergraph.sdl,
          members: network.members,
          port,
          host: flags.host ?? network.gateway.host ?? '127.0.0.1',
          corsOrigins: network.gateway.corsOrigins,
          rateLimit: network.gateway.rateLimit,
          maxInFlightAnswerBytes: network.gateway.maxInFlightAnswerBytes,
          clientCertificate: network.gateway.tls,
          persistedQueries: network.gateway.persistedQueries,
          logger: { level: logLevel },
          audit: {
            location: auditLocation(flags.audit),
            signingKey: (await ensureKeyPair(flags.keysDir, auditKeyName('gateway'))).privateJwk,
            timestampAuthority: timestampAuthority(flags.auditTsa),
          },
        });
        console.log(`gateway: ${gateway.url} over ${network.members.map((m) => m.code).join(' ')} (${flags.members}, supergraph from ${supergraph.from})`);
        console.log(
          `callers of ${security.signInStates.join(' ') || 'no state (no issuer configured!)'} can sign in; context tokens signed with ${security.keyFile} (kid ${security.keyId}), public keys at ${new URL(GATEWAY_KEYS_PATH, gateway.url).href}`,
        );
        const overTls = network.members.filter((m) => m.tls);
        const plain = network.members.filter((m) => !m.tls);
        console.log(
          [
            overTls.length > 0
              ? `mutual TLS to ${overTls.map((m) => `${m.code}${m.tls!.pins ? ' (pinned)' : ''}`).join(' ')} with client certificate ${network.gateway.tls!.certFile}`
              : '',
            plain.length > 0 ? `plain HTTP to ${plain.map((m) => m.code).join(' ')} (no tls in ${flags.members}: development only)` : '',
          ]
            .filter(Boolean)
            .join('; '),
        );
        console.log(`audit log: ${displayLocation(flags.audit)}, signed with ${flags.keysDir}/${auditKeyName('gateway')}.jwk`);
      } catch (error) {
        throw asConfigError(error, 'gateway');
      }
      console.log('Ctrl-C to stop');
      const running = gateway;
      const stop = async () => {
        await running.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
