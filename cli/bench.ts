import type { Command } from 'commander';
import { ConfigError } from '../common/config-error.ts';
import type { ScenarioName } from '../bench/scenarios.ts';
import type { Variant } from '../bench/run.ts';

const list = (value: string) => value.split(/[,\s]+/).filter(Boolean);

interface BenchFlags {
  quick?: boolean;
  out: string;
  json: string;
  dataDir: string;
  profile?: string;
  sizes?: string;
  networks?: string;
  scenarios?: string;
  variants?: string;
  hostile?: boolean;
  faults?: boolean;
  phaseSeconds: string;
  startup?: boolean;
  runs: string;
  subjects?: boolean;
  import?: string | boolean;
  federation?: boolean;
  safeguards?: boolean;
  hosts?: boolean;
  linkDelay?: string;
}

/**
 * `hague bench` (npm run bench): the benchmarks of bench/README.md. Not part of `npm test`. The
 * bench code is loaded only when the command runs, so other commands start as fast as before.
 */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description(
      'Benchmark the network on this machine: joint search and dossier across 1, 5 and 27 states at 1k and 100k persons per state, ' +
        'Hague with permissions on and off against stock @apollo/gateway and a monolith; writes bench/README.md and a JSON file',
    )
    .option('--quick', 'smoke run: 1k persons per state, short runs (about 3 minutes)')
    .option('--out <file>', 'Markdown report; the results replace the generated section of an existing file', 'bench/README.md')
    .option('--json <file>', 'raw results (--hostile: bench/results/hostile.json)', 'bench/results/latest.json')
    .option('--data-dir <dir>', 'cache of seeded state databases and the monolith (reused across runs)', '.hague/bench-data')
    .option(
      '--profile <roles>',
      'CPU-profile these roles (gateway, member, monolith) during the loaded runs; profiles in bench/results/*.cpuprofile (git-ignored), summarised by npx tsx bench/profile.ts',
    )
    .option('--sizes <n,...>', 'persons per state (default 1000,100000; --quick 1000)')
    .option('--networks <n,...>', 'network sizes in states (default 1,5,27)')
    .option('--scenarios <names>', 'search, dossier, casefile (default all)')
    .option('--variants <letters>', 'a (permissions on), b (off), c (stock Apollo), d (monolith) (default all)')
    .option(
      '--hostile',
      'instead: memory and time under attack (5 states × 1k persons, demo policies, gateway rate limits on): honest latency and member RSS peak ' +
        'while one caller attacks, against baselines in the same run (about 3 minutes); raw figures in bench/results/hostile.json',
    )
    .option(
      '--faults',
      "instead: one state failing (5 states × 1k persons, each its own process, FR on a PostgreSQL of the bench's own behind a fault relay): " +
        'down, hung, HTTP 500, garbage, 50 MB, endless, trickle, database stopped, each against the baseline just before it (about 6 minutes); raw figures in bench/results/faults.json',
    )
    .option('--phase-seconds <n>', 'with --hostile or --faults: seconds per baseline, attack or fault phase', '10')
    .option(
      '--startup',
      'instead: gateway start time (spawn to /readyz 200) and SIGTERM to exit, compiled build against tsx, --supergraph against --config; builds dist/ first',
    )
    .option('--runs <n>', 'with --startup: starts per variant (median, min, max), default 10; with --federation: runs (default 3)', '10')
    .option(
      '--subjects',
      'instead: the subjects query against the plain persons query for the same passport (5 states × 1k persons, same run): p50, p90, ratio',
    )
    .option(
      '--import [persons]',
      'instead: the import rate of `hague import` (default 100000 persons through examples/national-export/mapping.yaml into SQLite, with audit chain and match keys, then the same file again)',
    )
    .option(
      '--federation',
      "instead: The Guild's federation gateway benchmark (accounts, inventory, products, reviews subgraphs; its nested query; 50 connections): " +
        '`hague gateway` with caller auth against stock @apollo/gateway in @apollo/server, with and without Accept-Encoding: br, gzip; ' +
        'ratios per run (--runs, default 3; --quick: short loads); raw figures in bench/results/federation.json',
    )
    .option(
      '--hosts',
      'instead: 27 states against 5 with every state on a host of its own (root and ip netns: one network namespace per member and gateway, ' +
        'real `hague member` and `hague gateway` processes over mutual TLS, 1k persons per state): search and dossier one request at a time and under 8 connections, ' +
        'CPU per query of the gateway and the members, 27/5 ratios (about 5 minutes; --quick about 2); raw figures in bench/results/hosts.json',
    )
    .option(
      '--safeguards',
      'instead: the price of each safeguard (caller tokens, network rules, cost analysis, rate limits, context tokens, search budget, release rules, audit chains): ' +
        'CPU per query with all on, all off and each off alone, side by side (5 states × 1k persons; search, dossier, case file, subject; --runs, default 3); ' +
        'writes its section of bench/README.md and bench/results/safeguards.json',
    )
    .option('--link-delay <ms>', 'with --hosts: netem delay on both ends of every member host link, in ms (default 0)')
    .addHelpText(
      'after',
      '\nExamples:\n  npm run bench\n  npm run bench -- --quick\n  npm run bench -- --startup --runs 10\n  npm run bench -- --sizes 1000 --networks 5,27 --scenarios search --profile gateway\n  npm run bench -- --hostile\n  npm run bench -- --federation --quick\n  npm run bench -- --hosts',
    )
    .action(async (flags: BenchFlags, command: Command) => {
      const numbers = (value: string | undefined, flag: string, max: number) =>
        value === undefined
          ? undefined
          : list(value).map((v) => {
              const n = Number(v);
              if (!Number.isInteger(n) || n < 1 || n > max) throw new ConfigError(`${flag} '${v}' must be a whole number from 1 to ${max}`);
              return n;
            });
      const pick = <T extends string>(value: string | undefined, flag: string, allowed: readonly T[]) =>
        value === undefined
          ? undefined
          : list(value).map((v) => {
              if (!allowed.includes(v as T)) throw new ConfigError(`${flag} '${v}' is not one of ${allowed.join(', ')}`);
              return v as T;
            });
      const given = (name: string) => command.getOptionValueSource(name) === 'cli';
      /** A mode that runs its own network refuses the flags of the others, naming them. */
      const refuseFlags = (mode: string, what: string, names: string[]) => {
        const ignored = names.filter(given);
        if (ignored.length)
          throw new ConfigError(`${mode} ${what}; ${ignored.map((n) => `--${n}`).join(', ')} ${ignored.length > 1 ? 'do' : 'does'} not apply`);
      };
      const commandLine = `npm run bench${process.argv.length > 3 ? ` -- ${process.argv.slice(3).join(' ')}` : ''}`;
      if (flags.import !== undefined) {
        const persons = flags.import === true ? 100_000 : Number(flags.import);
        if (!Number.isInteger(persons) || persons < 1 || persons > 10_000_000)
          throw new ConfigError(`--import '${String(flags.import)}' must be a number of persons from 1 to 10000000`);
        const { runImportBench } = await import('../bench/import.ts');
        await runImportBench({ persons, dir: '.hague/bench-import' });
        return;
      }
      if (flags.hosts) {
        refuseFlags('--hosts', 'runs its own network (27 and 5 states × 1k persons, search and dossier)', [
          'profile',
          'sizes',
          'networks',
          'scenarios',
          'variants',
          'hostile',
          'faults',
          'phaseSeconds',
          'out',
          'runs',
          'startup',
          'subjects',
          'federation',
        ]);
        const linkDelayMs = flags.linkDelay === undefined ? 0 : Number(flags.linkDelay);
        if (!Number.isFinite(linkDelayMs) || linkDelayMs < 0 || linkDelayMs > 1000)
          throw new ConfigError(`--link-delay '${flags.linkDelay}' must be a number of milliseconds from 0 to 1000`);
        const { runHostsBench, hostsTable } = await import('../bench/hosts.ts');
        const json = given('json') ? flags.json : 'bench/results/hosts.json';
        const result = await runHostsBench({ dataDir: flags.dataDir, json, command: commandLine, quick: flags.quick === true, linkDelayMs });
        if (result) {
          process.stdout.write(hostsTable(result));
          console.log(`\nwritten: ${json}`);
        }
        return;
      }
      if (flags.linkDelay !== undefined) throw new ConfigError('--link-delay applies to --hosts only');
      if (flags.federation) {
        refuseFlags('--federation', 'runs its own subgraphs and gateways', [
          'profile',
          'sizes',
          'networks',
          'scenarios',
          'variants',
          'hostile',
          'faults',
          'phaseSeconds',
          'out',
        ]);
        const runs = given('runs') ? Number(flags.runs) : 3;
        if (!Number.isInteger(runs) || runs < 1 || runs > 50) throw new ConfigError(`--runs '${flags.runs}' must be a whole number from 1 to 50`);
        const { runFederationBench, federationTable } = await import('../bench/federation.ts');
        const json = given('json') ? flags.json : 'bench/results/federation.json';
        const result = await runFederationBench({ quick: flags.quick === true, runs, json, command: commandLine });
        process.stdout.write(federationTable(result));
        console.log(`\nwritten: ${json}`);
        return;
      }
      if (flags.safeguards) {
        refuseFlags('--safeguards', 'runs its own network (5 states × 1k persons, its own variants and scenarios)', [
          'profile',
          'sizes',
          'networks',
          'scenarios',
          'variants',
          'hostile',
          'faults',
          'phaseSeconds',
          'startup',
          'subjects',
          'federation',
        ]);
        const runs = given('runs') ? Number(flags.runs) : flags.quick ? 1 : 3;
        if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new ConfigError(`--runs '${flags.runs}' must be a whole number from 1 to 20`);
        const { runSafeguardsBench } = await import('../bench/safeguards.ts');
        const json = given('json') ? flags.json : 'bench/results/safeguards.json';
        await runSafeguardsBench({ quick: flags.quick === true, runs, json, out: flags.out, dataDir: flags.dataDir, command: commandLine });
        console.log(`\nwritten: ${flags.out} (section "The price of each safeguard"), ${json}`);
        return;
      }
      if (flags.subjects) {
        const { runSubjectsBench } = await import('../bench/subjects.ts');
        await runSubjectsBench({ persons: 1000, iterations: 200, command: commandLine });
        return;
      }
      if (flags.startup) {
        refuseFlags('--startup', 'prints its own table', [
          'quick',
          'profile',
          'sizes',
          'networks',
          'scenarios',
          'variants',
          'hostile',
          'phaseSeconds',
          'out',
          'json',
        ]);
        const runs = Number(flags.runs);
        if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw new ConfigError(`--runs '${flags.runs}' must be a whole number from 1 to 100`);
        const { runStartup } = await import('../bench/startup.ts');
        await runStartup({ runs, command: commandLine });
        return;
      }
      if (given('runs')) throw new ConfigError('--runs applies to --startup only');
      if (flags.faults) {
        refuseFlags('--faults', 'runs its own network and faults', ['quick', 'profile', 'sizes', 'networks', 'scenarios', 'variants', 'hostile']);
        const phaseSeconds = Number(flags.phaseSeconds);
        if (!Number.isInteger(phaseSeconds) || phaseSeconds < 5 || phaseSeconds > 120)
          throw new ConfigError(`--phase-seconds '${flags.phaseSeconds}' must be a whole number from 5 to 120 with --faults`);
        const { runFaults, faultsTable } = await import('../bench/faults.ts');
        const json = given('json') ? flags.json : 'bench/results/faults.json';
        const result = await runFaults({ out: flags.out, json, dataDir: flags.dataDir, phaseSeconds, command: commandLine });
        process.stdout.write(faultsTable(result));
        console.log(`\nwritten: ${flags.out} (section "One state failing"), ${json}`);
        return;
      }
      if (flags.hostile) {
        refuseFlags('--hostile', 'runs its own network (5 states × 1k persons) and attacks', [
          'quick',
          'profile',
          'sizes',
          'networks',
          'scenarios',
          'variants',
        ]);
        const phaseSeconds = Number(flags.phaseSeconds);
        if (!Number.isInteger(phaseSeconds) || phaseSeconds < 2 || phaseSeconds > 60)
          throw new ConfigError(`--phase-seconds '${flags.phaseSeconds}' must be a whole number from 2 to 60`);
        const { runHostile } = await import('../bench/hostile.ts');
        await runHostile({
          out: flags.out,
          json: given('json') ? flags.json : 'bench/results/hostile.json',
          dataDir: flags.dataDir,
          phaseSeconds,
          command: commandLine,
        });
        return;
      }
      if (given('phaseSeconds')) throw new ConfigError('--phase-seconds applies to --hostile and --faults only');
      const options = {
        quick: flags.quick === true,
        out: flags.out,
        json: flags.json,
        dataDir: flags.dataDir,
        profile: pick(flags.profile, '--profile', ['gateway', 'member', 'monolith'] as const) ?? [],
        sizes: numbers(flags.sizes, '--sizes', 999_999),
        networks: numbers(flags.networks, '--networks', 27),
        scenarios: pick<ScenarioName>(flags.scenarios, '--scenarios', ['search', 'dossier', 'casefile']),
        variants: pick<Variant>(flags.variants, '--variants', ['a', 'b', 'c', 'd']),
        command: commandLine,
      };
      const { runBench } = await import('../bench/run.ts');
      await runBench(options);
    });
}
