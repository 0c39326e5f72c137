/**
 * The partner app's command line: checks travellers' document numbers against the Hague network
 * and prints what each member state holds and releases. See examples/partner-app/README.md.
 *
 *   npx tsx examples/partner-app/main.ts --gateway http://localhost:4000/graphql \
 *     --dev-keys .hague/keys --state DE --passport EM482913
 */
import { Command, CommanderError, Option } from 'commander';
import { CLEARANCES, PURPOSES, isClearance, isPurpose } from '../../common/caller.ts';
import { parseMemberState } from '../../common/member-states.ts';
import { PartnerAppError, runPartnerApp, type PartnerAppOptions } from './app.ts';
import { formatReport } from './report.ts';

const list = (value: string) => value.split(/[,\s]+/).filter(Boolean);
const collect = (value: string, previous: string[] = []) => [...previous, ...list(value)];

interface Flags {
  gateway: string;
  token?: string;
  devKeys?: string;
  state?: string;
  roles: string;
  clearance: string;
  scopes: string;
  purpose: string;
  case?: string;
  passport?: string[];
  travelSince?: string;
  post?: boolean;
  json?: boolean;
}

class UsageError extends Error {}

const program = new Command('partner-app')
  .description(
    "Border check against the Hague network: which member states hold a record on a traveller's document, what each releases to you, and why anything is withheld.",
  )
  .addOption(new Option('--gateway <url>', "the gateway's GraphQL endpoint").env('HAGUE_GATEWAY').default('http://localhost:4000/graphql'))
  .addOption(new Option('--token <jwt>', "bearer token from your state's identity provider").env('HAGUE_TOKEN'))
  .addOption(new Option('--dev-keys <dir>', 'dev mode: mint a token with the dev identity keys in <dir> (npm start writes .hague/keys)').env('HAGUE_DEV_KEYS'))
  .addOption(new Option('--state <code>', 'dev token: your member state, e.g. DE').env('HAGUE_STATE'))
  .addOption(new Option('--roles <roles>', 'dev token: comma-separated roles').env('HAGUE_ROLES').default('border-guard'))
  .addOption(new Option('--clearance <level>', `dev token: one of ${CLEARANCES.join(', ')}`).env('HAGUE_CLEARANCE').default('RESTRICTED'))
  .addOption(new Option('--scopes <scopes>', 'dev token: comma-separated scopes, e.g. financial:read').env('HAGUE_SCOPES').default(''))
  .addOption(new Option('--purpose <purpose>', `legal basis, sent as X-Hague-Purpose: ${PURPOSES.join(', ')}`).env('HAGUE_PURPOSE').default('border-security'))
  .addOption(new Option('--case <reference>', 'case file reference, sent as X-Hague-Case').env('HAGUE_CASE'))
  .addOption(
    new Option('--passport <number>', 'document number to check (repeat, or comma-separated, for several travellers)').env('HAGUE_PASSPORT').argParser(collect),
  )
  .option('--travel-since <date>', 'only travel movements from this date (YYYY-MM-DD)')
  .option('--post', 'send hash-only persisted queries as POST instead of GET')
  .option('--json', 'print the report as JSON')
  .addHelpText(
    'after',
    `
Credentials: --token (or HAGUE_TOKEN), or in dev mode --dev-keys with --state/--roles/--clearance/--scopes.
Exit status: 0 when every check was answered (partial answers included), 1 when a check got no data, 2 on bad usage.

Example (after \`npm start\`):
  npx tsx examples/partner-app/main.ts --gateway http://localhost:4000/graphql --dev-keys .hague/keys --state DE --passport EM482913`,
  )
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

function toOptions(flags: Flags): PartnerAppOptions {
  const documentNumbers = flags.passport ?? [];
  if (documentNumbers.length === 0) throw new UsageError('--passport <number> is required');
  if (!isPurpose(flags.purpose)) throw new UsageError(`--purpose '${flags.purpose}' is not one of ${PURPOSES.join(', ')}`);
  if (flags.travelSince && !/^\d{4}-\d{2}-\d{2}$/.test(flags.travelSince))
    throw new UsageError(`--travel-since '${flags.travelSince}' is not a date (YYYY-MM-DD)`);
  try {
    new URL(flags.gateway);
  } catch {
    throw new UsageError(`--gateway '${flags.gateway}' is not a URL`);
  }
  const options: PartnerAppOptions = {
    gateway: flags.gateway,
    purpose: flags.purpose,
    caseReference: flags.case ?? null,
    documentNumbers,
    travelSince: flags.travelSince,
    useGETForHashedQueries: !flags.post,
  };
  if (flags.token) return { ...options, token: flags.token };
  if (!flags.devKeys) throw new UsageError('no credentials: give --token (or HAGUE_TOKEN), or --dev-keys <dir> with --state to mint a dev token');
  if (!flags.state) throw new UsageError('--dev-keys needs --state <code>: whose dev identity provider signs the token');
  const clearance = flags.clearance.toUpperCase();
  if (!isClearance(clearance)) throw new UsageError(`--clearance '${flags.clearance}' is not one of ${CLEARANCES.join(', ')}`);
  let state;
  try {
    state = parseMemberState(flags.state, '--state');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { ...options, devIdentity: { keysDir: flags.devKeys, state, roles: list(flags.roles), clearance, scopes: list(flags.scopes) } };
}

try {
  program.parse(process.argv);
  const flags = program.opts<Flags>();
  const report = await runPartnerApp(toOptions(flags));
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  process.exitCode = report.checks.some((c) => c.failure) ? 1 : 0;
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof UsageError) {
    console.error(`partner-app: ${error.message}`);
    process.exit(2);
  }
  if (error instanceof PartnerAppError) {
    console.error(`partner-app: ${error.message}`);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
}
