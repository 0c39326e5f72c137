import { Command, CommanderError } from 'commander';
import { ConfigError } from '../common/config-error.ts';
import { registerMember } from './member.ts';
import { registerSeed } from './seed.ts';
import { registerCompose } from './compose.ts';
import { registerGateway } from './gateway.ts';
import { registerDev } from './dev.ts';
import { registerToken } from './token.ts';
import { registerBench } from './bench.ts';
import { registerAudit } from './audit.ts';

const program = new Command('hague')
  .description("Hague: query the member states' counter-terrorism records jointly, every record staying at home.")
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerMember(program);
registerSeed(program);
registerCompose(program);
registerGateway(program);
registerDev(program);
registerToken(program);
registerBench(program);
registerAudit(program);

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
