import { DEFAULT_DEMO_PERSONS } from '../common/defaults.ts';
import { type Command } from 'commander';
import { seedProgressBar } from './seed-progress.ts';
import { parseMemberState } from '../common/member-states.ts';
import { openStore, type Store } from '../subgraphs/member/store.ts';
import { AlreadySeededError, MAX_SEED_PERSONS, NL_LISTED_PERSONS, REFERENCE_DATE, seedMember, type SeedResult } from '../subgraphs/member/seed.ts';
import { ConfigError } from '../common/config-error.ts';
import { asConfigError, parsePositiveInt } from './flags.ts';
import { EARLIEST_AS_OF, LATEST_AS_OF, isAsOfDate, todayUtc } from '../subgraphs/member/demo-data/clock.ts';

interface SeedFlags {
  state: string;
  persons: string;
  database: string;
  seed: string;
  reset?: boolean;
  asOf?: string;
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .summary("write deterministic synthetic demo data into one member state's database")
    .description(
      [
        'Write deterministic synthetic demo data (persons, organisations, identity documents, travel, financial ' +
          "measures, watchlist listings, affiliations) into one member state's database. The same --state, --persons " +
          'and --seed give byte-identical data. All names and stories are invented.',
        'Every seeded state also holds its part of a fixed cast of subjects known to several states under spelling ' +
          'variants of their names and the same passport number: travel that crosses states, an asset freeze in one ' +
          'state followed by cash withdrawals in another, links to terrorist and organised-crime groups. ' +
          `NL holds the Dutch national list: ${NL_LISTED_PERSONS} persons and 3 organisations (NL-O-001..003).`,
        'Dated facts (travel, financial measures, listings, affiliations) are placed relative to --as-of (default ' +
          `today): the stories were written for ${REFERENCE_DATE} and move with the clock, so recent travel stays recent and ` +
          'a booked trip stays ahead; a trip after the clock is planned. Seeding is one transaction: all or nothing.',
      ].join('\n\n'),
    )
    .requiredOption('--state <code>', 'member state whose records to write, e.g. NL')
    .requiredOption('--database <file|postgres-url>', 'SQLite file (created if missing) or postgres://user:pass@host:port/db')
    .option('--persons <n>', `persons to write, 1 to ${MAX_SEED_PERSONS} (organisations: max(5, persons/200), at most 500)`, String(DEFAULT_DEMO_PERSONS))
    .option('--seed <n>', 'variant of the generated data (the shared cast stays the same)', '1')
    .option('--reset', "delete the state's existing records first (the audit log is kept)")
    .option('--as-of <YYYY-MM-DD>', 'the demo clock: "now" for recent and planned travel (default: today, UTC)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  hague seed --state NL --persons 1000 --database data/nl.db',
        '  hague seed --state BE --persons 100000 --database postgres://hague:hague@localhost:5432/hague_be',
        '  hague seed --state FR --database data/fr.db --seed 7 --reset',
        '  hague seed --state BE --database data/be.db --as-of 2026-11-01   (the clock the tests use)',
      ].join('\n'),
    )
    .action(async (flags: SeedFlags) => {
      const state = parseMemberState(flags.state, '--state');
      const persons = parsePositiveInt(flags.persons, '--persons', MAX_SEED_PERSONS);
      if (persons < 1) throw new ConfigError(`--persons '${flags.persons}' must be at least 1`);
      const seed = parsePositiveInt(flags.seed, '--seed', 0xffffffff);
      const asOf = flags.asOf ?? todayUtc();
      if (!isAsOfDate(asOf))
        throw new ConfigError(`--as-of '${flags.asOf}' is not a date YYYY-MM-DD from ${EARLIEST_AS_OF} to ${LATEST_AS_OF}, e.g. 2026-11-01`);

      let store: Store;
      try {
        store = await openStore(flags.database, state);
      } catch (error) {
        throw asConfigError(error, 'hague seed');
      }

      const bar = seedProgressBar(state, persons);

      const started = performance.now();
      let result: SeedResult;
      try {
        bar?.start(persons, 0);
        result = await seedMember(store, {
          persons,
          seed,
          reset: flags.reset === true,
          asOf,
          onProgress: (done) => bar?.update(done),
        });
      } catch (error) {
        if (error instanceof AlreadySeededError) {
          throw new ConfigError(`${error.message}; pass --reset to replace them (or choose another --database)`);
        }
        throw error;
      } finally {
        bar?.stop();
        await store.close();
      }
      const seconds = (performance.now() - started) / 1000;
      console.log(describe(result, store.location, store.dialect, seconds));
    });
}

function describe(r: SeedResult, location: string, dialect: string, seconds: number): string {
  const lines = [
    `seeded ${r.state} (seed ${r.seed}, as of ${r.asOf}) into ${location} (${dialect}) in ${seconds.toFixed(1)} s:`,
    `  ${r.persons} persons, ${r.organisations} organisations, ${r.documents} identity documents, ${r.travelMovements} travel movements,`,
    `  ${r.financialMeasures} financial measures, ${r.listings} watchlist listings, ${r.affiliations} affiliations, ${r.aliases} aliases`,
  ];
  if (r.sharedSubjects.length > 0) lines.push(`  shared subjects known to other states too: ${r.sharedSubjects.join(', ')}`);
  if (r.state === 'NL') lines.push(`  Dutch national list: ${r.nationalListPersons} persons, organisations NL-O-001..003`);
  for (const note of r.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
