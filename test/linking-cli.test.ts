import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberState } from '../common/member-states.ts';
import { NETWORK_KEY_FILE, ensureNetworkKeyring, keyFingerprint, loadNetworkKeyring } from '../subgraphs/member/match-keys.ts';
import { seedMember } from '../subgraphs/member/seed.ts';
import { openStore } from '../subgraphs/member/store.ts';
import { freePort } from './support/ports.ts';
import { runCli, startCli, startNetwork, type RunningCli, type TestNetwork } from './support/network.ts';

/**
 * `hague linking rotate|status|retire` as child processes, and a rotation rolled through a real
 * network: two `hague member` processes (NL, BE) behind a gateway, each with its own copy of the
 * network key file, restarted one at a time on the rotated file as an operator would. The cast's
 * records (NL-P-000001, BE-P-000001, passport EM482913) must stay one subject throughout.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-linking-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A keys folder holding a fresh network key file (epoch e1), as a member's first start leaves it. */
function newKeysDir(name: string): { dir: string; file: string } {
  const dir = join(folder, name);
  const file = join(dir, NETWORK_KEY_FILE);
  ensureNetworkKeyring(file);
  return { dir, file };
}

describe('hague linking status, rotate and retire', () => {
  it('rotate adds e2 and makes it current, keeps e1 as the previous epoch, prints fingerprints and the next steps, never the key', async () => {
    const { dir, file } = newKeysDir('rotate');
    const e1 = loadNetworkKeyring(file).keys.get('e1')!;
    const rotated = await runCli(['linking', 'rotate', '--keys-dir', dir]);
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const ring = loadNetworkKeyring(file);
    expect(ring.current).toBe('e2');
    expect(ring.keys.get('e1')!.equals(e1)).toBe(true);
    const e2 = ring.keys.get('e2')!;
    expect(e2.equals(e1)).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(rotated.stdout).toContain(
      `network pseudonymisation key ${file}: epoch e2 is current (fingerprint ${keyFingerprint(e2)}); e1 is kept as the previous epoch`,
    );
    expect(rotated.stdout).toContain('Hand this file to every member state over a secure channel');
    expect(rotated.stdout).toContain(`hague linking retire --keys-dir ${dir}`);
    for (const key of [e1, e2]) expect(rotated.stdout).not.toContain(key.toString('base64url'));
    // Written through a temporary file and a rename: nothing else is left in the folder.
    expect(readdirSync(dir)).toEqual([NETWORK_KEY_FILE]);

    const status = await runCli(['linking', 'status', '--keys-dir', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n')).toEqual([
      `network pseudonymisation key ${file} (mode 0600): current epoch e2`,
      `  e2   fingerprint ${keyFingerprint(e2)}  current: members compute their keys under it`,
      `  e1   fingerprint ${keyFingerprint(e1)}  previous: still computed, still links`,
      '',
    ]);
  });

  it('retire keeps only the current epoch (older unused ones go too); a second retire has nothing to do', async () => {
    const { file } = newKeysDir('retire');
    for (let i = 0; i < 2; i++) expect((await runCli(['linking', 'rotate', '--key-file', file])).code).toBe(0);
    const e3 = loadNetworkKeyring(file).keys.get('e3')!;
    const before = await runCli(['linking', 'status', '--key-file', file]);
    expect(before.stdout).toMatch(/ e3 .* current: .*\n {2}e2 .* previous: .*\n {2}e1 .* unused: no member computes it\n$/);
    const retired = await runCli(['linking', 'retire', '--key-file', file]);
    expect(retired.code).toBe(0);
    expect(retired.stdout).toContain(`network pseudonymisation key ${file}: retired e1, e2; only the current epoch e3 is kept`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ current: 'e3', keys: { e3: e3.toString('base64url') } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await runCli(['linking', 'retire', '--key-file', file]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`network pseudonymisation key ${file}: holds only the current epoch e3; nothing to retire\n`);
    // The next rotation starts from e3.
    expect((await runCli(['linking', 'rotate', '--key-file', file])).code).toBe(0);
    expect([...loadNetworkKeyring(file).keys.keys()].sort()).toEqual(['e3', 'e4']);
  });

  it('status warns when the file is readable by others', async () => {
    const { dir, file } = newKeysDir('loose');
    chmodSync(file, 0o644);
    const status = await runCli(['linking', 'status', '--keys-dir', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`WARNING: ${file} is readable by others (mode 0644); chmod 600 it`);
    // Rotating writes it back 0600.
    expect((await runCli(['linking', 'rotate', '--keys-dir', dir])).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('bad flags and files: exit 2 with one line saying what to fix, and the key file left as it was', async () => {
    const missingDir = join(folder, 'no-such-folder');
    const noDir = await runCli(['linking', 'rotate', '--keys-dir', missingDir]);
    expect(noDir).toEqual({
      code: 2,
      stdout: '',
      stderr: `hague: --keys-dir ${missingDir} is not a folder; give the folder that holds ${NETWORK_KEY_FILE} (the members' --keys-dir)\n`,
    });

    const empty = join(folder, 'empty');
    mkdirSync(empty);
    const noFile = await runCli(['linking', 'status', '--keys-dir', empty]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toBe(
      `hague: ${join(empty, NETWORK_KEY_FILE)} does not exist; a member creates it on first start (hague member --keys-dir ${empty}), or give --key-file <the network's key file>\n`,
    );

    const garbage = join(folder, 'garbage.key');
    writeFileSync(garbage, '{"current": "e1", "keys": {', { mode: 0o600 });
    const notJson = await runCli(['linking', 'rotate', '--key-file', garbage]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(new RegExp(`^hague: network pseudonymisation key ${garbage} is not a JSON key file; .*\\n$`));
    expect(readFileSync(garbage, 'utf8')).toBe('{"current": "e1", "keys": {');

    const short = join(folder, 'short.key');
    const shortText = JSON.stringify({ current: 'e1', keys: { e1: 'c2hvcnQ' } });
    writeFileSync(short, shortText, { mode: 0o600 });
    for (const command of ['rotate', 'retire', 'status']) {
      const result = await runCli(['linking', command, '--key-file', short]);
      expect(result.code, command).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `hague: network pseudonymisation key ${short}: the key of e1 is not at least 32 bytes of base64url; expected { "current": "e1", "keys": { "e1": "<32 bytes, base64url>" } }\n`,
      );
    }
    expect(readFileSync(short, 'utf8')).toBe(shortText);

    const both = await runCli(['linking', 'status', '--keys-dir', empty, '--key-file', short]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('hague: give --keys-dir or --key-file, not both\n');
    const missingFile = await runCli(['linking', 'status', '--key-file', join(folder, 'absent.key')]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toBe(`hague: --key-file ${join(folder, 'absent.key')} does not exist; give the network pseudonymisation key file\n`);
    const unknown = await runCli(['linking', 'rotate', '--keys', empty]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--keys'");
  });

  it('the gateway has no flag for the network key: `hague gateway --help` names neither the file nor a key-file flag', async () => {
    const help = await runCli(['gateway', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--keys-dir <dir>\s+folder of the gateway's context-token key gateway\.jwk/);
    expect(help.stdout).not.toMatch(/pseudonym|network-pseudonym|--key-file|match key|linking/i);
  });
});

describe('a rotation rolled through a running network, one member restarted at a time', () => {
  let net: TestNetwork;
  const central = join(folder, 'network'); // where the network's key file is kept and rotated
  const centralFile = join(central, NETWORK_KEY_FILE);
  const members = new Map<MemberState, { port: number; database: string; keysDir: string; cli?: RunningCli }>();

  /** Hands the network's current file to a member (the "secure channel" is a copy). */
  function distribute(state: MemberState, from = centralFile): void {
    const target = join(members.get(state)!.keysDir, NETWORK_KEY_FILE);
    copyFileSync(from, target);
    chmodSync(target, 0o600);
  }

  /** (Re)starts a member's `hague member` process on its port; resolves with the epoch line it prints. */
  async function restart(state: MemberState): Promise<string> {
    const member = members.get(state)!;
    if (member.cli) expect(await member.cli.stop('SIGTERM')).toBe(0);
    member.cli = startCli([
      'member',
      '--state',
      state,
      '--port',
      String(member.port),
      '--database',
      member.database,
      '--gateway-key',
      join(net.keysDir, 'gateway.jwk'),
      '--keys-dir',
      member.keysDir,
      '--policies',
      'config/policies',
    ]);
    const [line] = await member.cli.waitFor(/network pseudonymisation key: [^\n]*/);
    await member.cli.waitFor(/Ctrl-C to stop/);
    return line;
  }

  const SUBJECTS = `{ subjects(filter: { documentNumber: "EM482913" }) { id heldBy confidence records { memberState id matchKeys { kind epoch } } } }`;
  type Subject = {
    id: string;
    heldBy: string[];
    confidence: string;
    records: Array<{ memberState: string; id: string; matchKeys: Array<{ kind: string; epoch: string }> }>;
  };

  /** The cast asked for by a BE analyst (NL releases FULL to BE): subject ids, and per state the epochs of its keys. */
  async function cast(): Promise<{ subjects: string[]; epochs: Record<string, string[]> }> {
    const answer = await net.query(SUBJECTS, undefined, await net.as({ state: 'BE', roles: ['analyst'], clearance: 'SECRET' }, 'counter-terrorism'));
    expect(answer.body.errors).toBeUndefined();
    const subjects = answer.body.data.subjects as Subject[];
    const epochs: Record<string, string[]> = {};
    for (const record of subjects.flatMap((s) => s.records)) epochs[record.memberState] = [...new Set(record.matchKeys.map((k) => k.epoch))].sort();
    return { subjects: subjects.map((s) => s.id).sort(), epochs };
  }
  const LINKED = ['NL:NL-P-000001+BE:BE-P-000001'];
  const fingerprint = (epoch: string, file = centralFile) => keyFingerprint(loadNetworkKeyring(file).keys.get(epoch)!);

  beforeAll(async () => {
    ensureNetworkKeyring(centralFile);
    for (const state of ['NL', 'BE'] as const) {
      const database = join(folder, `${state}.db`);
      const store = await openStore(database, state);
      await seedMember(store, { persons: 30 });
      await store.close();
      const keysDir = join(folder, `keys-${state}`);
      mkdirSync(keysDir);
      members.set(state, { port: await freePort(), database, keysDir });
    }
    net = await startNetwork({
      states: [],
      peers: [...members].map(([code, m]) => ({ code, url: `http://127.0.0.1:${m.port}/graphql`, timeoutMs: 5000 })),
    });
    for (const state of members.keys()) {
      distribute(state);
      expect(await restart(state)).toBe(
        `network pseudonymisation key: epoch e1 (fingerprint ${fingerprint('e1')}); ${join(members.get(state)!.keysDir, NETWORK_KEY_FILE)}`,
      );
    }
  }, 120_000);
  afterAll(async () => {
    for (const member of members.values()) await member.cli?.stop('SIGTERM');
    await net?.close();
  });

  it('links the cast on e1; after rotate, a member restarted on e2 still links with one on e1 through the previous epoch', async () => {
    expect(await cast()).toEqual({ subjects: LINKED, epochs: { NL: ['e1'], BE: ['e1'] } });

    const rotated = await runCli(['linking', 'rotate', '--keys-dir', central]);
    expect(rotated.code).toBe(0);
    const status = await runCli(['linking', 'status', '--keys-dir', central]);
    expect(status.stdout).toMatch(/current epoch e2\n {2}e2 .* current: .*\n {2}e1 .* previous: /);

    distribute('NL');
    expect(await restart('NL')).toBe(
      `network pseudonymisation key: epoch e2 (fingerprint ${fingerprint('e2')}), still linking e1 (fingerprint ${fingerprint('e1')}); ${join(members.get('NL')!.keysDir, NETWORK_KEY_FILE)}`,
    );
    // NL computes keys of both epochs, BE of e1 only: they share e1's.
    expect(await cast()).toEqual({ subjects: LINKED, epochs: { NL: ['e1', 'e2'], BE: ['e1'] } });
  }, 60_000);

  it('without the previous epoch the roll would unlink: NL on a file retired too early and BE on e1 are two subjects', async () => {
    const early = join(folder, 'retired-too-early.key');
    copyFileSync(centralFile, early);
    expect((await runCli(['linking', 'retire', '--key-file', early])).code).toBe(0);
    distribute('NL', early);
    await restart('NL');
    expect(await cast()).toEqual({ subjects: ['BE:BE-P-000001', 'NL:NL-P-000001'], epochs: { NL: ['e2'], BE: ['e1'] } });
    // Back on the rotated file, linked again.
    distribute('NL');
    await restart('NL');
    expect(await cast()).toEqual({ subjects: LINKED, epochs: { NL: ['e1', 'e2'], BE: ['e1'] } });
  }, 60_000);

  it('with both on e2 they link; retire then keeps e2 only, and the cast stays one subject while each member restarts on it', async () => {
    distribute('BE');
    await restart('BE');
    expect(await cast()).toEqual({ subjects: LINKED, epochs: { NL: ['e1', 'e2'], BE: ['e1', 'e2'] } });

    const retired = await runCli(['linking', 'retire', '--keys-dir', central]);
    expect(retired.code).toBe(0);
    expect(retired.stdout).toContain('retired e1; only the current epoch e2 is kept');
    expect([...loadNetworkKeyring(centralFile).keys.keys()]).toEqual(['e2']);

    distribute('NL');
    expect(await restart('NL')).toBe(
      `network pseudonymisation key: epoch e2 (fingerprint ${fingerprint('e2')}); ${join(members.get('NL')!.keysDir, NETWORK_KEY_FILE)}`,
    );
    // NL on e2 alone, BE still on e1 and e2: they share e2's keys.
    expect(await cast()).toEqual({ subjects: LINKED, epochs: { NL: ['e2'], BE: ['e1', 'e2'] } });
    distribute('BE');
    await restart('BE');
    // e1 is computed nowhere any more.
    expect(await cast()).toEqual({ subjects: LINKED, epochs: { NL: ['e2'], BE: ['e2'] } });
  }, 60_000);
});
