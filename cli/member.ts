import type { Command } from 'commander';
import { parseMemberState } from '../common/member-states.ts';
import { startMember } from '../subgraphs/member/server.ts';
import { UsageError, asUsageError, parsePort } from './usage-error.ts';

export function registerMember(program: Command): void {
  program.command('member')
    .description('Serve one member state\'s subgraph over its own database')
    .requiredOption('--state <code>', 'member state code, e.g. NL')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '4101')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--database <file|url>', 'SQLite file, or postgres://user@host:port/db', '.hague/data/<STATE>.db')
    .option('--agency <name>', 'agency named in every contact point')
    .addHelpText('after', '\nExample:\n  hague seed --state NL --persons 1000 --database nl.db\n  hague member --state NL --port 4101 --database nl.db')
    .action(async (options: { state: string; port: string; host: string; database: string; agency?: string }) => {
      let state;
      try { state = parseMemberState(options.state, '--state'); } catch (error) { throw new UsageError((error as Error).message); }
      const port = parsePort(options.port);
      const database = options.database.replace('<STATE>', state);
      if (options.database.includes('<STATE>')) {
        const { mkdirSync } = await import('node:fs');
        mkdirSync('.hague/data', { recursive: true });
      }
      let member;
      try {
        member = await startMember({ state, database, port, host: options.host, agency: options.agency, logger: { level: 'info' } });
      } catch (error) {
        throw asUsageError(error, `member ${state}`);
      }
      console.log(`member ${state}: subgraph at ${member.url} over ${member.store.dialect} ${member.store.location}`);
      console.log('Ctrl-C to stop');
      const stop = async () => { await member.close(); process.exit(0); };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
