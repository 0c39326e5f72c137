import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CLEARANCES, PURPOSES, isClearance, isPurpose } from '../common/caller.ts';
import { signingKeyId } from '../gateway/context-signer.ts';
import { CONTEXT_TOKEN_MAX_LIFETIME_SECONDS, contextAudience, importKey, signContextToken } from '../common/context-token.ts';
import { parseMemberState } from '../common/member-states.ts';
import { DEFAULT_KEYS_DIR, ensureKeyPair } from '../common/dev-keys.ts';
import { issueDevToken } from '../common/dev-identity.ts';
import { ConfigError } from '../common/config-error.ts';

function parseTtl(value: string): number {
  const match = value.trim().match(/^(\d+)\s*(s|m|h|d)?$/);
  if (!match) throw new ConfigError(`--ttl '${value}' is not a duration; use e.g. 90s, 15m, 1h or 1d`);
  const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  if (seconds < 1 || seconds > 7 * 86400) throw new ConfigError(`--ttl '${value}' must be between 1s and 7d`);
  return seconds;
}

const list = (value: string) => value.split(/[,\s]+/).filter(Boolean);

export function registerToken(program: Command): void {
  program
    .command('token')
    .description("Print a dev token of a member state's dev identity provider (accepted by `hague dev`, never by a production gateway)")
    .requiredOption('--state <code>', "the caller's member state, e.g. NL")
    .option('--roles <roles>', 'comma-separated roles, e.g. analyst,fiu', 'analyst')
    .option('--clearance <level>', `one of ${CLEARANCES.join(', ')}`, 'RESTRICTED')
    .option('--scopes <scopes>', 'comma-separated scopes, e.g. financial:read', '')
    .option('--agency <name>', 'agency claim')
    .option('--subject <id>', 'subject (user) claim')
    .option('--ttl <duration>', 'lifetime: 90s, 15m, 1h, 1d (at most 7d)', '1h')
    .option('--keys-dir <dir>', 'where dev keys live (created on first use)', DEFAULT_KEYS_DIR)
    .option(
      '--context-for <state>',
      'instead: a context token for that member state (X-Hague-Context), signed with the gateway key in --keys-dir, to query one member directly while developing',
    )
    .option('--purpose <purpose>', `with --context-for: the purpose it carries (${PURPOSES.join(', ')})`, 'counter-terrorism')
    .option('--body <json>', 'with --context-for: the exact request body the token is for (it authorizes that request once, for a minute)')
    .addHelpText(
      'after',
      '\nExample:\n  TOKEN=$(npx hague token --state NL --roles analyst --clearance SECRET)\n  curl -H "Authorization: Bearer $TOKEN" -H "X-Hague-Purpose: counter-terrorism" \\\n       -H "content-type: application/json" -d \'{"query":"{ persons(filter:{name:\\"Abaaoud\\"}) { memberState id familyName } }"}\' http://localhost:4000/graphql',
    )
    .action(
      async (options: {
        state: string;
        roles: string;
        clearance: string;
        scopes: string;
        agency?: string;
        subject?: string;
        ttl: string;
        keysDir: string;
        contextFor?: string;
        purpose: string;
        body?: string;
      }) => {
        const state = parseMemberState(options.state, '--state');
        const clearance = options.clearance.toUpperCase();
        if (!isClearance(clearance)) throw new ConfigError(`--clearance '${options.clearance}' is not one of ${CLEARANCES.join(', ')}`);
        if (options.contextFor) {
          const audience = parseMemberState(options.contextFor, '--context-for');
          if (!isPurpose(options.purpose)) throw new ConfigError(`--purpose '${options.purpose}' is not one of ${PURPOSES.join(', ')}`);
          if (options.body === undefined) {
            throw new ConfigError("--context-for needs --body '<the exact JSON body you will send>': a context token authorizes one request, once");
          }
          const gatewayKey = join(options.keysDir, 'gateway.jwk');
          if (!existsSync(gatewayKey))
            throw new ConfigError(`${gatewayKey} does not exist: a context token is signed with the gateway's key; run \`hague dev\` once or give --keys-dir`);
          const caller = {
            state,
            agency: options.agency ?? `${state} dev agency`,
            subject: options.subject ?? `dev-${state.toLowerCase()}`,
            roles: list(options.roles),
            clearance,
            scopes: list(options.scopes),
            purpose: options.purpose,
            caseReference: null,
            requestId: `cli-${Date.now()}`,
          };
          const { privateJwk } = await ensureKeyPair(options.keysDir, 'gateway');
          const token = await signContextToken(
            caller,
            contextAudience(audience),
            await importKey(privateJwk),
            {
              body: options.body,
              deadline: Date.now() + CONTEXT_TOKEN_MAX_LIFETIME_SECONDS * 1000,
            },
            await signingKeyId(privateJwk),
          );
          process.stdout.write(`${token}\n`);
          return;
        }
        const token = await issueDevToken({
          state,
          roles: list(options.roles),
          clearance,
          scopes: list(options.scopes),
          agency: options.agency,
          subject: options.subject,
          ttlSeconds: parseTtl(options.ttl),
          keysDir: options.keysDir,
        });
        process.stdout.write(`${token}\n`);
      },
    );
}
