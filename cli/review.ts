import type { Command } from 'commander';
import { ConfigError } from '../common/config-error.ts';
import { DEFAULT_KEYS_DIR } from '../common/defaults.ts';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { auditKeyName, displayLocation, openAuditLog, type AuditLog } from '../common/audit-log.ts';
import { parseMemberState } from '../common/member-states.ts';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { UnknownRecordError, dueRecords, isIsoDate, markReviewed, reviewToday, type DueRecord } from '../subgraphs/member/review.ts';
import { asConfigError, auditLocation } from './flags.ts';

/**
 * `hague review`: the records whose review date has come (LED Art. 5), and recording a review
 * (subgraphs/member/review.ts). Exit codes: 0 done (also when nothing is due), 2 bad flags or files.
 */

interface ReviewFlags {
  state: string;
  database: string;
  asOf?: string;
  format: string;
  markReviewed?: string;
  next?: string;
  audit?: string;
  keysDir: string;
  operator?: string;
}

export function registerReview(program: Command): void {
  program
    .command('review')
    .summary("list a member state's records due for review, or record a review")
    .description(
      [
        "List the records of one member state whose review date (LED Art. 5: time limits for erasure or periodic review) is on or before --as-of (default today, UTC): id, name, status, review date, days overdue. A record whose date has passed is overdue: the state's release policy (review.overdue) says whether partners still get it whole, only as a hit, or not at all.",
        "With --mark-reviewed <id> --next <date>: record that the record was reviewed and set its next review date; with --audit, the review is an entry in the state's audit chain.",
      ].join('\n\n'),
    )
    .requiredOption('--state <code>', 'member state whose records to review, e.g. NL')
    .requiredOption('--database <file|postgres-url>', "the state's database: SQLite file or postgres://user:pass@host:port/db")
    .option('--as-of <YYYY-MM-DD>', 'list what is due on this day (default: today, UTC)')
    .option('--format <table|json>', 'table for people, json (one array) for scripts', 'table')
    .option('--mark-reviewed <id>', 'record a review of this record (needs --next)')
    .option('--next <YYYY-MM-DD>', 'the next review date of the record reviewed')
    .option('--audit <file|url>', "the state's audit log (SQLite file or postgres:// URL): the review is appended to its chain")
    .option('--keys-dir <dir>', "folder of the state's audit key audit-<STATE>.jwk (with --audit)", DEFAULT_KEYS_DIR)
    .option('--operator <name>', 'who reviewed it, kept in the audit entry (default: $USER)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  hague review --state NL --database .hague/data/NL.db',
        '  hague review --state NL --database .hague/data/NL.db --as-of 2027-01-31 --format json',
        '  hague review --state NL --database .hague/data/NL.db --mark-reviewed NL-P-000123 --next 2027-11-01 \\',
        '    --audit .hague/data/NL.audit.db',
      ].join('\n'),
    )
    .action(async (flags: ReviewFlags) => {
      const state = parseMemberState(flags.state, '--state');
      if (flags.format !== 'table' && flags.format !== 'json') throw new ConfigError(`--format '${flags.format}' is not table or json`);
      const asOf = flags.asOf ?? reviewToday();
      if (!isIsoDate(asOf)) throw new ConfigError(`--as-of '${flags.asOf}' is not a date YYYY-MM-DD, e.g. 2026-11-01`);
      if (flags.markReviewed === undefined && (flags.next !== undefined || flags.audit !== undefined)) {
        throw new ConfigError('--next and --audit go with --mark-reviewed <id>');
      }
      if (flags.markReviewed !== undefined) {
        if (flags.next === undefined) throw new ConfigError('--mark-reviewed needs --next <YYYY-MM-DD>: the next review date');
        if (!isIsoDate(flags.next)) throw new ConfigError(`--next '${String(flags.next)}' is not a date YYYY-MM-DD, e.g. 2027-11-01`);
      }

      let store: Store;
      try {
        store = await openStore(flags.database, state);
      } catch (error) {
        throw asConfigError(error, 'hague review');
      }
      let audit: AuditLog | undefined;
      try {
        if (flags.markReviewed !== undefined) {
          if (flags.audit !== undefined) {
            const signingKey = (await ensureKeyPair(flags.keysDir, auditKeyName(state))).privateJwk;
            audit = await openAuditLog(auditLocation(flags.audit), { owner: state, signingKey, checkpointIntervalMs: 0 });
          }
          const operator = flags.operator ?? process.env.USER ?? undefined;
          const done = await markReviewed(store, flags.markReviewed, flags.next!, { auditLog: audit, operator });
          const where = audit ? `; audit entry appended to ${displayLocation(audit.location)}` : '';
          console.log(`${state} ${done.id} reviewed: next review ${done.next} (was ${done.previous ?? 'not set'})${where}`);
          return;
        }
        const due = await dueRecords(store, asOf);
        if (flags.format === 'json') console.log(JSON.stringify(due, null, 2));
        else console.log(formatDue(state, asOf, due));
      } catch (error) {
        if (error instanceof UnknownRecordError) throw new ConfigError(`--mark-reviewed: ${error.message}`);
        throw error;
      } finally {
        await audit?.close();
        await store.close();
      }
    });
}

/** The due records as a table, or one line saying none is due. */
export function formatDue(state: string, asOf: string, due: DueRecord[]): string {
  if (due.length === 0) return `${state}: no record is due for review on or before ${asOf}.`;
  const overdue = due.filter((d) => d.daysOverdue > 0).length;
  const header = ['id', 'name', 'status', 'review date', 'days overdue'];
  const rows = due.map((d) => [d.id, d.name, d.status, d.reviewDue, String(d.daysOverdue)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [
    `${state}: ${due.length} record${due.length === 1 ? '' : 's'} due for review on or before ${asOf} (${overdue} overdue):`,
    line(header),
    ...rows.map(line),
  ].join('\n');
}
