import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { JWK } from 'jose';
import {
  AuditLogBroken,
  auditKeyName,
  devAuditLocation,
  displayLocation,
  exportAuditLog,
  isPostgresLocation,
  openAuditLog,
  verifyAuditLog,
  verifyExport,
} from '../common/audit-log.ts';
import { ConfigError } from '../common/config-error.ts';
import { certificateOf } from '../common/timestamp.ts';
import { DEFAULT_AUDIT_RETENTION_MS, DEFAULT_DATA_DIR, DEFAULT_KEYS_DIR } from '../common/defaults.ts';
import { parseMemberState } from '../common/member-states.ts';
import { buildReport, formatReport, readAuditEntries } from './audit-report.ts';

/**
 * `hague audit verify`, `hague audit export` and `hague audit report`: check a tamper-evident audit log
 * (common/audit-log.ts) offline with its owner's public key, export part of it signed, or read it
 * for a data-protection officer (cli/audit-report.ts: who consulted what, when and why; probing).
 * Exit codes: 0 verified, 1 does not verify, 2 bad flags or files.
 */

interface Selector {
  state?: string;
  gateway?: boolean;
  database?: string;
  key?: string;
  dataDir: string;
  keysDir: string;
}

interface Selected {
  /** undefined when only a key was asked for (verify --export). */
  location?: string;
  owner: string | null;
  keyFile: string;
}

function select(options: Selector, needsLog: boolean): Selected {
  const given = [options.state !== undefined && '--state', options.gateway === true && '--gateway', options.database !== undefined && '--database'].filter(
    (flag): flag is string => typeof flag === 'string',
  );
  if (given.length > 1) throw new ConfigError(`give one of ${given.join(', ')}, not several`);
  if (given.length === 0 && needsLog)
    throw new ConfigError('which audit log? give --state <code>, --gateway, or --database <file|postgres-url> --key <JWK file>');
  let owner: string | null = null;
  let location: string | undefined;
  if (options.state !== undefined) {
    owner = parseMemberState(options.state, '--state');
    location = devAuditLocation(options.dataDir, owner);
  } else if (options.gateway) {
    owner = 'gateway';
    location = devAuditLocation(options.dataDir, owner);
  } else if (options.database !== undefined) {
    location = options.database;
    if (!options.key) throw new ConfigError("--database needs --key <JWK file>: the audit key of the log's owner");
  }
  const keyFile = options.key ?? (owner === null ? undefined : join(options.keysDir, `${auditKeyName(owner)}.jwk`));
  if (keyFile === undefined) throw new ConfigError('give --key <JWK file> (or --state / --gateway for the dev keys)');
  if (location !== undefined && !isPostgresLocation(location) && !existsSync(location)) {
    throw new ConfigError(`audit log ${location} does not exist; fix ${options.database !== undefined ? '--database' : '--data-dir'}`);
  }
  if (!existsSync(keyFile)) throw new ConfigError(`key file ${keyFile} does not exist; give --key <the owner's audit key (JWK)> or fix --keys-dir`);
  return { location, owner, keyFile };
}

function readJwk(file: string, flag: string): JWK {
  try {
    const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC') throw new Error('not an EC JWK');
    return jwk;
  } catch (error) {
    throw new ConfigError(`${flag} ${file} is not an ES256 JWK file (${(error as Error).message})`);
  }
}

function readTsaCertificate(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`--tsa-cert ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    certificateOf(pem);
  } catch {
    throw new ConfigError(`--tsa-cert ${file} is not a PEM X.509 certificate; give the time-stamp authority's certificate or its CA's`);
  }
  return pem;
}

const DURATION_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** An ISO time, or a duration back from now (10m, 2h, 3d), as an ISO time. */
export function parseTime(value: string, flag: string, now = Date.now()): string {
  const duration = /^(\d+)(s|m|h|d)$/.exec(value.trim());
  if (duration) return new Date(now - Number(duration[1]) * DURATION_MS[duration[2] as keyof typeof DURATION_MS]).toISOString();
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(at)) {
    throw new ConfigError(`${flag} '${value}' is neither an ISO time (2025-03-01T12:00:00Z) nor a duration back from now (10m, 2h, 3d)`);
  }
  return new Date(at).toISOString();
}

function addSelectors(command: Command): Command {
  return command
    .option('--state <code>', "a member state's log in the dev network: <data-dir>/<STATE>.audit.db, key <keys-dir>/audit-<STATE>.jwk")
    .option('--gateway', "the gateway's log in the dev network: <data-dir>/gateway.audit.db, key <keys-dir>/audit-gateway.jwk")
    .option('--database <file|url>', 'the log itself: its SQLite file, or postgres://user@host:port/db (schema hague_audit)')
    .option('--key <file>', "the audit key (JWK file) of the log's owner: public to verify, private to export")
    .option('--data-dir <dir>', 'where `hague dev` keeps its data', DEFAULT_DATA_DIR)
    .option('--keys-dir <dir>', 'where `hague dev` keeps its keys', DEFAULT_KEYS_DIR);
}

const label = (selected: Selected, location: string) => `audit log ${displayLocation(location)}${selected.owner ? ` (${selected.owner})` : ''}`;

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('Check or export a tamper-evident audit log');

  addSelectors(audit.command('verify'))
    .description("Check an audit log (or an export with --export) offline with its owner's public key: exit 0 intact, 1 not")
    .option('--export <file>', 'check this export and its signature (<file>.sig) instead of a log')
    .option('--sig <file>', 'with --export: the signature file (default <file>.sig)')
    .option('--tsa-cert <file...>', "certificates (PEM) of the time-stamp authority or its CA: checkpoints' RFC 3161 time-stamps are checked against them")
    .addHelpText(
      'after',
      '\nExamples:\n  hague audit verify --state NL\n  hague audit verify --database nl-audit.db --key audit-NL.public.jwk\n  hague audit verify --export nl.jsonl --key audit-NL.public.jwk',
    )
    .action(async (options: Selector & { export?: string; sig?: string; tsaCert?: string[] }) => {
      if (options.export !== undefined) {
        const selected = select({ ...options, database: undefined }, false);
        const sigFile = options.sig ?? `${options.export}.sig`;
        if (!existsSync(options.export)) throw new ConfigError(`--export ${options.export} does not exist`);
        if (!existsSync(sigFile)) throw new ConfigError(`signature file ${sigFile} does not exist; give --sig <file>`);
        const result = await verifyExport(readFileSync(options.export, 'utf8'), readFileSync(sigFile, 'utf8'), readJwk(selected.keyFile, '--key'));
        if (result.ok) {
          console.log(`export ${options.export}: ${result.entries} entries of ${result.owner}'s audit log, exported ${result.exportedAt}; signature verified`);
        } else {
          console.log(`export ${options.export} DOES NOT VERIFY: ${result.reason}`);
          process.exitCode = 1;
        }
        return;
      }
      const selected = select(options, true);
      const location = selected.location!;
      const tsaCertificates = (options.tsaCert ?? []).map(readTsaCertificate);
      const result = await verifyAuditLog(location, readJwk(selected.keyFile, '--key'), { tsaCertificates });
      const name = label({ ...selected, owner: result.owner ?? selected.owner }, location);
      if (!result.ok) {
        console.log(`${name} DOES NOT VERIFY: ${result.firstBad.reason}`);
        process.exitCode = 1;
        return;
      }
      const checkpoint = result.lastCheckpoint
        ? `last signed checkpoint: entry ${result.lastCheckpoint.seq} at ${result.lastCheckpoint.at}` +
          (result.unsignedTail > 0 ? ` (${result.unsignedTail} entries after it not signed yet)` : '')
        : `no signed checkpoint yet (${result.unsignedTail} entries not signed yet)`;
      const expired = result.expiredThrough
        ? `; entries up to ${result.expiredThrough.seq} expired behind an anchor signed at ${result.expiredThrough.at}`
        : '';
      const { stamped, last, signerChecked } = result.timestamps;
      const stamps =
        stamped === 0
          ? ''
          : `; ${stamped} checkpoint${stamped === 1 ? '' : 's'} time-stamped, the last (entry ${last!.seq}) at ${last!.genTime}` +
            (signerChecked ? ' by a trusted TSA' : ' (TSA signatures not checked: give --tsa-cert)');
      console.log(`${name}: ${result.entries} entries, chain intact; ${checkpoint}${expired}${stamps}`);
    });

  addSelectors(audit.command('export'))
    .description("Export entries as JSON lines with a detached signature by the owner's audit key (private)")
    .option('--since <time>', 'entries at or after: ISO time, or a duration back from now (10m, 2h, 3d)')
    .option('--until <time>', 'entries at or before: ISO time, or a duration back from now')
    .option('--request-id <id>', 'only the entries of this request (entry.requestId)')
    .option('--out <file>', 'write the lines here and the signature to <file>.sig (default: lines to stdout, signature to stderr)')
    .addHelpText('after', '\nExamples:\n  hague audit export --state NL --since 2h --out nl.jsonl\n  hague audit verify --export nl.jsonl --state NL')
    .action(async (options: Selector & { since?: string; until?: string; requestId?: string; out?: string }) => {
      const selected = select(options, true);
      const since = options.since === undefined ? undefined : parseTime(options.since, '--since');
      const until = options.until === undefined ? undefined : parseTime(options.until, '--until');
      const signingKey = readJwk(selected.keyFile, '--key');
      if (!signingKey.d) throw new ConfigError(`--key ${selected.keyFile} is a public key; an export is signed with the owner's private audit key`);
      let exported;
      try {
        exported = await exportAuditLog(selected.location!, { signingKey, since, until, requestId: options.requestId });
      } catch (error) {
        if (!(error instanceof AuditLogBroken)) throw error;
        console.error(`hague: not exported: ${error.message}`);
        process.exitCode = 1;
        return;
      }
      if (options.out === undefined) {
        process.stdout.write(exported.lines);
        console.error(`hague: ${exported.count} entries; signature (save it as <file>.sig to check with \`hague audit verify --export <file>\`):`);
        console.error(exported.signature);
        return;
      }
      try {
        writeFileSync(options.out, exported.lines);
        writeFileSync(`${options.out}.sig`, `${exported.signature}\n`);
      } catch (error) {
        throw new ConfigError(`--out ${options.out}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      console.log(`exported ${exported.count} entries to ${options.out}, signature in ${options.out}.sig`);
    });
  audit
    .command('init')
    .description(
      "Create an owner's audit log in PostgreSQL as the role that will own it, and let the role the member or gateway logs in as only append and read; run it again (e.g. daily) to expire entries past retention",
    )
    .requiredOption('--database <url>', 'postgres://owner@host:port/db: the log goes in its schema hague_audit')
    .requiredOption('--owner <code>', "whose log: a member state's code (NL) or gateway")
    .requiredOption('--key <file>', "the owner's private audit key (JWK file): it signs checkpoints and expiry anchors")
    .option('--append-role <role>', 'the role the member or gateway connects as: it gets INSERT and SELECT only, never UPDATE, DELETE or TRUNCATE')
    .option(
      '--retain <days>',
      'expire entries older than this many days, behind a signed anchor (0 keeps everything)',
      String(DEFAULT_AUDIT_RETENTION_MS / 86_400_000),
    )
    .addHelpText(
      'after',
      '\nExample:\n  hague audit init --database postgres://hague_admin@db/nl --owner NL --key keys/audit-NL.jwk --append-role hague_nl\n  hague member --state NL --audit postgres://hague_nl@db/nl ...',
    )
    .action(async (options: { database: string; owner: string; key: string; appendRole?: string; retain: string }) => {
      if (!isPostgresLocation(options.database)) {
        throw new ConfigError(`--database must be a postgres:// URL (a SQLite audit log needs no init: its file is created at first start)`);
      }
      const owner = options.owner === 'gateway' ? 'gateway' : parseMemberState(options.owner, '--owner');
      if (!existsSync(options.key)) throw new ConfigError(`--key ${options.key} does not exist; give the owner's private audit key (JWK)`);
      const signingKey = readJwk(options.key, '--key');
      if (!signingKey.d) throw new ConfigError(`--key ${options.key} is a public key; init signs with the owner's private audit key`);
      const days = Number(options.retain);
      if (!Number.isFinite(days) || days < 0) throw new ConfigError(`--retain '${options.retain}' is not a number of days (0 keeps everything)`);
      if (options.appendRole !== undefined && !/^[a-z_][a-z0-9_$]{0,62}$/.test(options.appendRole)) {
        throw new ConfigError(`--append-role '${options.appendRole}' is not a plain PostgreSQL role name (lower case letters, digits, _)`);
      }
      const log = await openAuditLog(options.database, {
        owner,
        signingKey,
        appendRole: options.appendRole,
        retainMs: days * 86_400_000,
        checkpointIntervalMs: 0,
      });
      const expired = days > 0 ? await log.expire(new Date(Date.now() - days * 86_400_000)) : null;
      await log.close();
      console.log(`audit log ${displayLocation(options.database)} (${owner}) ready, schema hague_audit, insert-only`);
      if (expired) console.log(`expired ${expired.removed} entries up to entry ${expired.seq}, behind an anchor signed at ${expired.at}`);
      if (options.appendRole !== undefined) {
        console.log(
          `role ${options.appendRole} may append and read, never change or delete: give the ${owner === 'gateway' ? 'gateway' : 'member'} --audit with it as the user`,
        );
      }
    });

  addSelectors(audit.command('report'))
    .description(
      'Verify an audit log, then report who consulted which records, when and why, by partner state and subject, and flag probing and repeated refusals',
    )
    .option('--since <time>', 'entries at or after: ISO time, or a duration back from now (10m, 2h, 3d)')
    .option('--until <time>', 'entries at or before: ISO time, or a duration back from now')
    .option('--json', 'the report as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  hague audit report --state NL --since 7d\n  hague audit report --database nl-audit.db --key audit-NL.public.jwk --json',
    )
    .action(async (options: Selector & { since?: string; until?: string; json?: boolean }) => {
      const selected = select(options, true);
      const location = selected.location!;
      const since = options.since === undefined ? undefined : parseTime(options.since, '--since');
      const until = options.until === undefined ? undefined : parseTime(options.until, '--until');
      let read;
      try {
        read = await readAuditEntries(location, readJwk(selected.keyFile, '--key'), { since, until });
      } catch (error) {
        if (!(error instanceof AuditLogBroken)) throw error;
        console.error(`hague: no report: ${error.message}`);
        process.exitCode = 1;
        return;
      }
      const { verification, rows } = read;
      const owner = verification.owner ?? selected.owner;
      const report = buildReport(rows, { owner, since, until });
      if (options.json) {
        const log = {
          location: displayLocation(location),
          entries: verification.entries,
          lastCheckpoint: verification.lastCheckpoint,
          unsignedTail: verification.unsignedTail,
        };
        process.stdout.write(`${JSON.stringify({ log, ...report }, null, 2)}\n`);
        return;
      }
      const checkpoint = verification.lastCheckpoint
        ? `last signed checkpoint: entry ${verification.lastCheckpoint.seq}` +
          (verification.unsignedTail > 0 ? ` (${verification.unsignedTail} after it not signed yet)` : '')
        : 'no signed checkpoint yet';
      process.stdout.write(formatReport(report, `${label({ ...selected, owner }, location)}: ${verification.entries} entries, chain intact; ${checkpoint}`));
    });
}
