import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { ConfigError } from '../common/config-error.ts';
import { publishedJwk } from '../gateway/context-signer.ts';

/**
 * `hague gateway-key new` makes a context-token signing key for the gateway; `hague gateway-key set`
 * writes the public key set the member states trust (docs/identity-providers.md, rotating the
 * gateway's key). Private keys never leave the files `new` writes (mode 0600).
 */
export function registerGatewayKey(program: Command): void {
  const command = program.command('gateway-key').description("Make the gateway's context-token keys and the key set the member states trust");
  command
    .command('new')
    .description('Write a new private ES256 key for the gateway (a JWK file, mode 0600) and print its public part')
    .requiredOption('--out <file>', 'the private key file to write; refused if it exists')
    .option('--kid <id>', 'the key id (default: gateway-<date>-<random>)')
    .action(async (options: { out: string; kid?: string }) => {
      if (existsSync(options.out)) throw new ConfigError(`${options.out} exists; a key file is never overwritten (choose another --out)`);
      const { privateKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = options.kid ?? `gateway-${new Date().toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
      const jwk: JWK = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid };
      writeFileSync(options.out, `${JSON.stringify(jwk)}\n`, { mode: 0o600, flag: 'wx' });
      console.log(`private key ${options.out} (kid ${kid}); keep it on the gateway hosts only. Its public part:`);
      console.log(JSON.stringify(await publishedJwk(jwk)));
    });
  command
    .command('set')
    .description("Write the JWK Set of the public parts of the given key files: what every member state's --gateway-key points at")
    .requiredOption('--out <file>', 'the key set file to write (replaced atomically: members re-read it as it changes)')
    .argument('<keys...>', 'JWK files (private or public) or JWK Set files, e.g. the current and the next key')
    .action(async (files: string[], options: { out: string }) => {
      const keys: JWK[] = [];
      for (const file of files) {
        let parsed: { keys?: unknown } & JWK;
        try {
          parsed = JSON.parse(readFileSync(file, 'utf8')) as { keys?: unknown } & JWK;
        } catch (error) {
          throw new ConfigError(`${file} is not a readable JWK or JWK Set file (${(error as Error).message})`);
        }
        for (const jwk of Array.isArray(parsed.keys) ? (parsed.keys as JWK[]) : [parsed]) {
          if (jwk.kty !== 'EC' || jwk.crv !== 'P-256')
            throw new ConfigError(`${file}: a gateway key is an ES256 (P-256) key, not ${jwk.kty}/${jwk.crv ?? '-'}`);
          const key = await publishedJwk(jwk);
          if (!keys.some((k) => k.kid === key.kid)) keys.push(key);
        }
      }
      const temporary = `${options.out}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o644 });
      renameSync(temporary, options.out);
      console.log(`${options.out}: ${keys.length} public key(s): ${keys.map((k) => k.kid).join(', ')}`);
    });
}
