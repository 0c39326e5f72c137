import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../common/config-error.ts';
import { DEFAULT_KEYS_DIR } from '../common/defaults.ts';
import { NETWORK_KEY_FILE, networkKeyFileStatus, retireNetworkKeys, rotateNetworkKey, type NetworkKeyFileStatus } from '../subgraphs/member/match-keys.ts';

/**
 * `hague linking rotate|status|retire`: the network pseudonymisation key's epochs
 * (subgraphs/member/match-keys.ts). Members hold this key; the gateway never does. Run these
 * where the network's key file is kept, then hand the file to every member state.
 * Exit codes: 0 done, 2 bad flags or a missing or broken key file.
 */

interface KeyFileFlags {
  keysDir?: string;
  keyFile?: string;
}

/** The key file the flags name, which must exist: these commands never create one. */
function keyFileOf(flags: KeyFileFlags): { file: string; keysFlag: string } {
  if (flags.keysDir !== undefined && flags.keyFile !== undefined) throw new ConfigError('give --keys-dir or --key-file, not both');
  if (flags.keyFile !== undefined) {
    if (!existsSync(flags.keyFile)) throw new ConfigError(`--key-file ${flags.keyFile} does not exist; give the network pseudonymisation key file`);
    return { file: flags.keyFile, keysFlag: `--key-file ${flags.keyFile}` };
  }
  const dir = flags.keysDir ?? DEFAULT_KEYS_DIR;
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new ConfigError(`--keys-dir ${dir} is not a folder; give the folder that holds ${NETWORK_KEY_FILE} (the members' --keys-dir)`);
  const file = join(dir, NETWORK_KEY_FILE);
  if (!existsSync(file))
    throw new ConfigError(
      `${file} does not exist; a member creates it on first start (hague member --keys-dir ${dir}), or give --key-file <the network's key file>`,
    );
  return { file, keysFlag: `--keys-dir ${dir}` };
}

const mode = (bits: number) => `0${bits.toString(8).padStart(3, '0')}`;

function epochLines(status: NetworkKeyFileStatus): string[] {
  const meaning = {
    current: 'current: members compute their keys under it',
    previous: 'previous: still computed, still links',
    unused: 'unused: no member computes it',
  };
  return status.epochs.map((e) => `  ${e.epoch.padEnd(4)} fingerprint ${e.fingerprint}  ${meaning[e.use]}`);
}

/** A warning when the file is readable by anyone but its owner. */
function modeWarning(status: NetworkKeyFileStatus): string[] {
  return status.mode & 0o077 ? [`WARNING: ${status.file} is readable by others (mode ${mode(status.mode)}); chmod 600 it`] : [];
}

function addKeyFileFlags(command: Command): Command {
  return command
    .option('--keys-dir <dir>', `the folder holding ${NETWORK_KEY_FILE} (a member's --keys-dir; default ${DEFAULT_KEYS_DIR})`)
    .option('--key-file <file>', 'the key file itself, wherever it is kept');
}

export function registerLinking(program: Command): void {
  const linking = program
    .command('linking')
    .description("Rotate the network pseudonymisation key that members' match keys are computed with (members hold it, the gateway never does)");

  addKeyFileFlags(linking.command('status'))
    .description("Show the key file's epochs, which is current, and each key's fingerprint (never the key)")
    .action((flags: KeyFileFlags) => {
      const status = networkKeyFileStatus(keyFileOf(flags).file);
      console.log(`network pseudonymisation key ${status.file} (mode ${mode(status.mode)}): current epoch ${status.current}`);
      for (const line of [...epochLines(status), ...modeWarning(status)]) console.log(line);
    });

  addKeyFileFlags(linking.command('rotate'))
    .description('Start a new epoch: add a fresh key e<n+1>, make it current, keep the previous one so links hold during the roll')
    .addHelpText('after', '\nExample:\n  hague linking rotate --keys-dir /etc/hague/keys')
    .action((flags: KeyFileFlags) => {
      const { file, keysFlag } = keyFileOf(flags);
      const previous = networkKeyFileStatus(file).current;
      const next = rotateNetworkKey(file);
      const status = networkKeyFileStatus(file);
      const fingerprint = status.epochs.find((e) => e.epoch === next)!.fingerprint;
      console.log(
        `network pseudonymisation key ${status.file}: epoch ${next} is current (fingerprint ${fingerprint}); ${previous} is kept as the previous epoch`,
      );
      for (const line of [
        ...epochLines(status),
        ...modeWarning(status),
        'Next:',
        `  1. Hand this file to every member state over a secure channel (never to the gateway); keep it mode 0600.`,
        `  2. Restart each member on it; at start it prints "network pseudonymisation key: epoch ${next} (fingerprint ${fingerprint})".`,
        `     During the roll, members on ${next} and members still on ${previous} link through ${previous}'s keys.`,
        `  3. Once every member runs on ${next}: hague linking retire ${keysFlag}, hand the file out again and`,
        `     restart each member: ${previous} is then no longer computed anywhere.`,
        `  Do not rotate again before every member runs on ${next}: a member two epochs behind links with no one.`,
      ])
        console.log(line);
    });

  addKeyFileFlags(linking.command('retire'))
    .description('End a rotation once every member runs on the current epoch: keep only its key, drop the previous and any older one')
    .action((flags: KeyFileFlags) => {
      const { file } = keyFileOf(flags);
      const retired = retireNetworkKeys(file);
      const status = networkKeyFileStatus(file);
      if (retired.length === 0) {
        console.log(`network pseudonymisation key ${status.file}: holds only the current epoch ${status.current}; nothing to retire`);
        return;
      }
      console.log(`network pseudonymisation key ${status.file}: retired ${retired.join(', ')}; only the current epoch ${status.current} is kept`);
      for (const line of [
        ...epochLines(status),
        ...modeWarning(status),
        'Next:',
        `  Hand this file to every member state over a secure channel and restart each member on it. Members on this`,
        `  file and members still on the previous one share ${status.current}'s keys, so records keep linking meanwhile.`,
        `  Retire only after every member runs on ${status.current}: a member still without it would link with no one.`,
      ])
        console.log(line);
    });
}
