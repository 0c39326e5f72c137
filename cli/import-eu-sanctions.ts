import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../common/config-error.ts';
import { DEFAULT_KEYS_DIR, DEFAULT_POLICIES_DIR } from '../common/defaults.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { auditKeyName, displayLocation, openAuditLog, type AuditLog } from '../common/audit-log.ts';
import { parseMemberState } from '../common/member-states.ts';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { loadNetworkKeyring, networkKeyFile } from '../subgraphs/member/match-keys.ts';
import { EU_SANCTIONS_LIST, EuSanctionsFormatError, readEuSanctions } from '../subgraphs/member/import/eu-sanctions.ts';
import { importRecords } from '../subgraphs/member/import/apply.ts';
import { SUBJECT_STATUSES, type SubjectStatus } from '../subgraphs/member/import/records.ts';
import { loadReleasePolicy } from '../subgraphs/member/release-policy.ts';
import { applyReviewDefaults, formatPeriod, reviewToday } from '../subgraphs/member/review.ts';
import { asConfigError, auditLocation } from './flags.ts';

/**
 * `hague import-eu-sanctions <file.xml>`: the EU consolidated financial sanctions list (the
 * Financial Sanctions Database's XML export) into one member state's store, through the import core
 * (subgraphs/member/import/apply.ts): upserts keyed by EU-<logicalId>, so a re-import of the same
 * list changes nothing and a new edition changes only what changed. Exit codes: 0 imported, 1 the
 * file is not the export or an entry cannot become a record (nothing written), 2 bad flags or files.
 */

export interface EuSanctionsFlags {
  state: string;
  database: string;
  /** Default SUSPECT. */
  status?: string;
  audit?: string;
  keysDir: string;
  /** Default config/policies. */
  policies?: string;
}

type ImportFlags = EuSanctionsFlags & { status: string; policies: string };

export function registerImportEuSanctions(program: Command): void {
  program
    .command('import-eu-sanctions')
    .summary('import the EU consolidated financial sanctions list (its XML export) into a member state')
    .description(
      [
        `Read the EU consolidated list of persons, groups and entities subject to EU financial sanctions (the XML export, root <export>) and write each listed person into one member state's store: a person record EU-<logicalId> with its names, aliases, date of birth, nationalities and passports or identity cards; a listing on "${EU_SANCTIONS_LIST}" (programme and regulation as its reason); an ASSET_FREEZE financial measure whose legal basis is the regulation. Entities that are not persons are skipped and counted.`,
        'One transaction: an entry that cannot become a record stops the import with its line and logicalId, and nothing is written. A re-import of the same file changes nothing. docs/national-data.md describes the subset of the format read.',
      ].join('\n\n'),
    )
    .argument('<file.xml>', 'the XML export of the EU financial sanctions list')
    .requiredOption('--state <code>', 'member state whose store receives the records, e.g. NL')
    .requiredOption('--database <file|postgres-url>', "the state's database: SQLite file or postgres://user:pass@host:port/db")
    .option('--status <status>', `the status the records get (the list says nothing of an investigation): one of ${SUBJECT_STATUSES.join(', ')}`, 'SUSPECT')
    .option('--audit <file|url>', "the state's audit log: an entry per record inserted or changed")
    .option(
      '--policies <dir>',
      "folder of release policies: records without a review date get <dir>/<STATE>.yaml's review.defaults for their status",
      DEFAULT_POLICIES_DIR,
    )
    .option('--keys-dir <dir>', "folder of the state's audit key (with --audit) and network-pseudonym.key (match keys computed when present)", DEFAULT_KEYS_DIR)
    .addHelpText('after', '\nExample:\n  hague import-eu-sanctions eu-fsf.xml --state NL --database .hague/data/NL.db --audit .hague/data/NL.audit.db')
    .action((file: string, flags: ImportFlags) => importEuSanctions(file, flags));
}

/**
 * The import itself, for `hague import-eu-sanctions <file>` and `hague import --eu-sanctions <file>`
 * (cli/import.ts): sets process.exitCode 1 when the file cannot be imported (nothing written).
 */
export async function importEuSanctions(file: string, flags: EuSanctionsFlags): Promise<void> {
  const state = parseMemberState(flags.state, '--state');
  const wanted = flags.status ?? 'SUSPECT';
  if (!(SUBJECT_STATUSES as readonly string[]).includes(wanted)) {
    throw new ConfigError(`--status '${wanted}' is not one of ${SUBJECT_STATUSES.join(', ')}`);
  }
  const status = wanted as SubjectStatus;
  let xml: Buffer;
  try {
    xml = readFileSync(file);
  } catch (error) {
    throw new ConfigError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let read: ReturnType<typeof readEuSanctions>;
  try {
    read = readEuSanctions(xml.toString('utf8'), { file, status });
  } catch (error) {
    if (error instanceof EuSanctionsFormatError) {
      console.error(`hague import-eu-sanctions: ${error.message}\nnothing was written.`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }

  const policy = loadReleasePolicy(flags.policies ?? DEFAULT_POLICIES_DIR, state);
  const keyFile = networkKeyFile(flags.keysDir);
  const keyring = existsSync(keyFile) ? loadNetworkKeyring(keyFile) : undefined;
  let store: Store;
  try {
    store = await openStore(flags.database, state);
  } catch (error) {
    throw asConfigError(error, 'hague import-eu-sanctions');
  }
  let audit: AuditLog | undefined;
  try {
    if (flags.audit !== undefined) {
      const signingKey = (await ensureKeyPair(flags.keysDir, auditKeyName(state))).privateJwk;
      audit = await openAuditLog(auditLocation(flags.audit), { owner: state, signingKey, checkpointIntervalMs: 0 });
    }
    const sha256 = createHash('sha256').update(xml).digest('hex');
    const result = await importRecords(store, read.records, { source: { file: basename(file), sha256 }, audit, keyring });
    if (!result.committed) {
      for (const rejected of result.rejected) {
        const first = rejected.problems[0];
        console.error(
          `hague import-eu-sanctions: ${file}: ${rejected.id ?? '?'}: ${first?.field}: ${JSON.stringify(first?.value ?? null)}; ${first?.expected}`,
        );
      }
      console.error('nothing was written.');
      process.exitCode = 1;
      return;
    }
    // The list carries no review date: the owner's policy default for the status, from today (review.ts).
    const period = policy.review?.defaults[status];
    const dated = await applyReviewDefaults(
      store,
      policy,
      read.records.map((r) => r.id),
      reviewToday(),
    );
    const skipped = Object.entries(read.skipped)
      .map(([type, n]) => `${n} ${type}`)
      .join(', ');
    console.log(
      [
        `${state}: EU financial sanctions list${read.generationDate ? ` of ${read.generationDate}` : ''} from ${file} into ${store.location}:`,
        `  ${read.records.length} persons read: ${result.inserted} inserted, ${result.changed} changed, ${result.unchanged} unchanged`,
        `  skipped (not persons): ${skipped || 'none'}`,
        `  review dates: ${period ? `${dated} set to ${formatPeriod(period)} from today (review.defaults.${status} of ${policy.source})` : `none set (${policy.source} has no review.defaults.${status})`}`,
        `  match keys: ${result.matchKeysCurrent ? 'current' : `computed by the member at its next start (no ${keyFile})`}`,
        ...(audit ? [`  audit entries in ${displayLocation(audit.location)}`] : []),
      ].join('\n'),
    );
  } finally {
    await audit?.close();
    await store.close();
  }
}
