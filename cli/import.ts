import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import type { JWK } from 'jose';
import { auditKeyName, devAuditLocation, displayLocation, openAuditLog, type AuditLog } from '../common/audit-log.ts';
import { ConfigError } from '../common/config-error.ts';
import { DEFAULT_KEYS_DIR } from '../common/defaults.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { parseMemberState } from '../common/member-states.ts';
import { isPostgresUrl, openStore, type Store } from '../subgraphs/member/store.ts';
import { loadNetworkKeyring, networkKeyFile, type NetworkKeyring } from '../subgraphs/member/match-keys.ts';
import { loadMapping } from '../subgraphs/member/import/mapping.ts';
import { importFile, type ImportFileResult } from '../subgraphs/member/import/input.ts';
import { asConfigError, auditLocation } from './flags.ts';
import { importEuSanctions } from './import-eu-sanctions.ts';
import { DEFAULT_POLICIES_DIR } from '../common/defaults.ts';
import { loadReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { dateUndatedRecords, reviewToday } from '../subgraphs/member/review.ts';

/**
 * `hague import`: a national export (NDJSON or CSV) or a change file into one member state's store,
 * through a mapping file (docs/national-data.md). Exit codes: 0 written (with --partial, also when
 * some records were rejected), 1 records rejected and nothing written (all or nothing), 2 bad flags
 * or files.
 */

interface ImportFlags {
  state: string;
  database: string;
  mapping?: string;
  euSanctions?: string;
  status?: string;
  policies?: string;
  input?: string;
  changes?: string;
  format?: string;
  rejectFile?: string;
  partial?: boolean;
  audit?: string;
  auditKey?: string;
  keysDir: string;
  networkKey?: string;
  operator?: string;
}

/** A progress bar on stderr, on a terminal only (cli/seed-progress.ts style); records read so far. */
function progressBar(state: string): cliProgress.SingleBar | undefined {
  if (!process.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar(
    { format: `importing ${state} | {value} records | {duration_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
}

function readJwk(file: string): JWK {
  try {
    const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    if (jwk.kty !== 'EC' || !jwk.d) throw new Error('not a private EC JWK');
    return jwk;
  } catch (error) {
    throw new ConfigError(`--audit-key ${file} is not the owner's private ES256 audit key (${(error as Error).message})`);
  }
}

export function registerImport(program: Command): void {
  program
    .command('import')
    .summary("load a national export or a change file into one member state's database, through a mapping file")
    .description(
      [
        "Load records from a national system into one member state's database (SQLite or PostgreSQL). The mapping " +
          "file says how the export's field names, code lists and date formats become the contract's records " +
          '(docs/national-data.md). Records are upserted by their own id: a record equal to the stored one is left ' +
          'alone, so importing the same file twice changes nothing.',
        'Every bad record is reported as file:line: field: value; expected … and written to --reject-file. The ' +
          'batch is one transaction: nothing is written when a record is bad, unless --partial (good records in, ' +
          'bad ones rejected).',
        'With --changes, the file holds {"op":"upsert","record":{…}} and {"op":"erase","id":"…"} lines, applied ' +
          'in order: the daily sync. An erased record goes with its documents, travel, measures, listings, ' +
          'affiliations, name keys and match keys.',
        "Every insert, change and erasure is an entry in the state's audit chain (record-insert, record-change, " +
          'record-erase: which record, which fields, which file and its SHA-256): `hague audit export --state NL`.',
      ].join('\n\n'),
    )
    .requiredOption('--state <code>', 'member state whose records these are, e.g. NL')
    .requiredOption('--database <file|postgres-url>', "the state's database: SQLite file or postgres://user:pass@host:port/db")
    .option('--mapping <file>', 'the mapping file (YAML): national fields and codes -> the contract (required with --input or --changes)')
    .option(
      '--eu-sanctions <file.xml>',
      'instead: the EU consolidated financial sanctions list, its XML export (no mapping; as hague import-eu-sanctions, docs/national-data.md)',
    )
    .option('--status <status>', 'with --eu-sanctions: the status the listed persons get (default SUSPECT)')
    .option(
      '--policies <dir>',
      "folder of release policies: records left without a review date get <dir>/<STATE>.yaml's review.defaults for their status (default config/policies)",
    )
    .option('--input <file>', 'a full or partial export: NDJSON (one record per line) or CSV (one record per row)')
    .option('--changes <file>', 'a change file (NDJSON of upserts and erasures), applied in order')
    .option('--format <ndjson|csv>', "the input's format (default: the mapping's, else by extension)")
    .option('--reject-file <file>', 'write the rejected input lines here (CSV: with the header)')
    .option('--partial', 'write the good records and reject the bad ones (default: all or nothing)')
    .option('--audit <file|url>', "the state's audit log (default: as `hague member`: <database folder>/<STATE>.audit.db, or the same PostgreSQL database)")
    .option('--audit-key <file>', "the state's private audit key, JWK (default: <keys-dir>/audit-<STATE>.jwk, created if missing)")
    .option('--keys-dir <dir>', 'folder of the audit key and the network pseudonymisation key', DEFAULT_KEYS_DIR)
    .option(
      '--network-key <file>',
      'the network pseudonymisation key: match keys of changed records are recomputed (default: <keys-dir>/network-pseudonym.key if there)',
    )
    .option('--operator <name>', 'who makes the change, for the audit (default: the import file and its SHA-256)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  hague import --state NL --database data/nl.db --mapping examples/national-export/mapping.yaml \\',
        '               --input examples/national-export/nl-export.ndjson --reject-file rejected.ndjson',
        '  hague import --state NL --database data/nl.db --mapping examples/national-export/mapping.yaml \\',
        '               --changes examples/national-export/changes.ndjson',
      ].join('\n'),
    )
    .action(async (flags: ImportFlags) => {
      const state = parseMemberState(flags.state, '--state');
      if (flags.euSanctions !== undefined) {
        if (flags.input !== undefined || flags.changes !== undefined || flags.mapping !== undefined)
          throw new ConfigError('--eu-sanctions is a file of its own: give it without --input, --changes or --mapping');
        return importEuSanctions(flags.euSanctions, { ...flags, state });
      }
      if (flags.mapping === undefined) throw new ConfigError('give --mapping <file> (the mapping of the national export), or --eu-sanctions <file.xml>');
      if ((flags.input === undefined) === (flags.changes === undefined))
        throw new ConfigError('give --input <export> or --changes <change file> (one of them)');
      const input = (flags.input ?? flags.changes)!;
      const flag = flags.input !== undefined ? '--input' : '--changes';
      if (!existsSync(input)) throw new ConfigError(`${flag} ${input} does not exist`);
      if (flags.format !== undefined && flags.format !== 'ndjson' && flags.format !== 'csv')
        throw new ConfigError(`--format '${flags.format}' is not ndjson or csv`);
      if (flags.changes !== undefined && flags.format === 'csv') throw new ConfigError('a change file is NDJSON; --format csv applies to --input');
      const mapping = loadMapping(flags.mapping);
      const policy = loadReleasePolicy(flags.policies ?? DEFAULT_POLICIES_DIR, state);

      let keyring: NetworkKeyring | undefined;
      const keyFile = flags.networkKey ?? networkKeyFile(flags.keysDir);
      if (flags.networkKey !== undefined || existsSync(keyFile)) keyring = loadNetworkKeyring(keyFile);

      let store: Store;
      try {
        store = await openStore(flags.database, state);
      } catch (error) {
        throw asConfigError(error, 'hague import');
      }
      let audit: AuditLog | undefined;
      let result: ImportFileResult;
      let dated = 0;
      const bar = progressBar(state);
      const started = performance.now();
      try {
        const location = flags.audit
          ? auditLocation(flags.audit)
          : isPostgresUrl(flags.database)
            ? flags.database
            : devAuditLocation(dirname(flags.database), state);
        const signingKey = flags.auditKey ? readJwk(flags.auditKey) : (await ensureKeyPair(flags.keysDir, auditKeyName(state))).privateJwk;
        audit = await openAuditLog(location, { owner: state, signingKey, checkpointIntervalMs: 0 });
        bar?.start(0, 0);
        result = await importFile(store, {
          mapping,
          input,
          format: flags.format,
          changes: flags.changes !== undefined,
          rejectFile: flags.rejectFile,
          partial: flags.partial === true,
          keyring,
          audit,
          operator: flags.operator,
          onProgress: (done) => {
            bar?.setTotal(done);
            bar?.update(done);
          },
        });
        // The export carries no review date: the owner's policy default for each status, from today (review.ts).
        if (result.committed) dated = await dateUndatedRecords(store, policy, reviewToday());
      } finally {
        bar?.stop();
        await audit?.close();
        await store.close();
      }
      const seconds = (performance.now() - started) / 1000;
      for (const line of result.problems) console.error(line);
      const rejected = result.rejected.length;
      const rate = seconds > 0 ? Math.round((result.read / seconds) * 60) : 0;
      const summary = [
        `${result.committed ? 'imported' : 'nothing imported from'} ${input} (${result.format}, sha256 ${result.sha256.slice(0, 12)}…) into ${store.location} (${store.dialect}) in ${seconds.toFixed(1)} s:`,
        `  ${result.read} read, ${result.inserted} inserted, ${result.changed} changed, ${result.unchanged} unchanged, ${result.erased} erased` +
          `${result.notFound ? `, ${result.notFound} erasures of unknown ids` : ''}, ${rejected} rejected (${rate} records/min)`,
      ];
      if (rejected && flags.rejectFile) summary.push(`  rejected lines written to ${flags.rejectFile}`);
      if (!result.committed) summary.push(`  all or nothing: fix the ${rejected} rejected record(s), or pass --partial to import the good ones`);
      summary.push(keyring ? `  match keys kept current (${keyring.file})` : '  match keys: no network key here; the member recomputes them at its next start');
      summary.push(
        `  review dates: ${dated} record(s) without one got ${policy.review ? `the review.defaults of ${policy.source}` : `none (${policy.source} has no review.defaults)`}`,
      );
      if (audit) summary.push(`  audit: ${result.inserted + result.changed + result.erased} entries in ${displayLocation(audit.location)}`);
      console.log(summary.join('\n'));
      if (!result.committed) process.exitCode = 1;
    });
}
