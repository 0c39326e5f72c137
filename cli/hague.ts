import { Command, CommanderError } from 'commander';
import { ConfigError } from '../common/config-error.ts';

/**
 * Each sub-command's module, in the order `hague --help` lists them. Only the one being run is
 * loaded (all of them for help or an unknown command): `hague gateway` does not load the member's
 * database drivers, the seeder or the benchmark, which keeps a gateway restart short.
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  member: async () => (await import('./member.ts')).registerMember,
  seed: async () => (await import('./seed.ts')).registerSeed,
  import: async () => (await import('./import.ts')).registerImport,
  compose: async () => (await import('./compose.ts')).registerCompose,
  gateway: async () => (await import('./gateway.ts')).registerGateway,
  'gateway-key': async () => (await import('./gateway-key.ts')).registerGatewayKey,
  dev: async () => (await import('./dev.ts')).registerDev,
  token: async () => (await import('./token.ts')).registerToken,
  bench: async () => (await import('./bench.ts')).registerBench,
  audit: async () => (await import('./audit.ts')).registerAudit,
  linking: async () => (await import('./linking.ts')).registerLinking,
  review: async () => (await import('./review.ts')).registerReview,
  'import-eu-sanctions': async () => (await import('./import-eu-sanctions.ts')).registerImportEuSanctions,
};

const program = new Command('hague')
  .description("Hague: query the member states' counter-terrorism records jointly, every record staying at home.")
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named]] : Object.values(COMMANDS);
for (const register of await Promise.all(wanted.map((load) => load()))) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof ConfigError) {
    console.error(`hague: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
}
