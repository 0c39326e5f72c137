import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { composeFile } from '../gateway/compose.ts';
import { ConfigError } from '../common/config-error.ts';

export function registerCompose(program: Command): void {
  program
    .command('compose')
    .description('Compose the supergraph from a rover supergraph config, as `rover supergraph compose` would (offline)')
    .option('--config <file>', 'rover supergraph config', 'rover.yaml')
    .option('--out <file>', 'where to write the supergraph SDL (- for stdout)', 'supergraph.graphql')
    .option('--quiet', 'do not print composition hints')
    .addHelpText(
      'after',
      '\nExample:\n  hague compose --config rover.yaml --out supergraph.graphql\n  hague gateway --supergraph supergraph.graphql --members config/members.yaml',
    )
    .action((options: { config: string; out: string; quiet?: boolean }) => {
      // Composition errors are several lines (one per error, with subgraph and hints): printed whole.
      const composed = composeFile(options.config);
      if (!options.quiet) {
        if (composed.versionNote) console.error(`warning: ${composed.versionNote}`);
        for (const hint of composed.hints) console.error(`hint: ${hint}`);
      }
      if (options.out === '-') {
        process.stdout.write(composed.supergraphSdl.endsWith('\n') ? composed.supergraphSdl : `${composed.supergraphSdl}\n`);
        return;
      }
      try {
        writeFileSync(options.out, composed.supergraphSdl.endsWith('\n') ? composed.supergraphSdl : `${composed.supergraphSdl}\n`);
      } catch (error) {
        throw new ConfigError(`--out ${options.out}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      }
      console.error(`composed ${options.config} into ${options.out}`);
    });
}
