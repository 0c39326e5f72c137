import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RUNTIME_FLAGS, runtimeFlags } from '../bin/runtime-flags.js';
import { ensureKeyPair } from '../common/dev-keys.ts';
import { postQuery, runCli, startCli, type RunningCli } from './support/network.ts';

/**
 * The V8 settings of the server commands (bin/runtime-flags.js), as the `hague` launcher applies
 * them to real processes: the server runs in a child node started with them (read back from
 * /proc/<pid>/cmdline), HAGUE_NODE_FLAGS= turns them off, an operator's own flags win, and
 * SIGTERM, SIGINT and a SIGKILL of the launcher still stop the server.
 */

const HAGUE = resolve('bin/hague.js');
const folder = mkdtempSync(join(tmpdir(), 'hague-runtime-flags-'));
const keysDir = join(folder, 'keys');
const database = join(folder, 'nl.db');
beforeAll(async () => {
  await ensureKeyPair(keysDir, 'gateway');
  const seeded = await runCli(['seed', '--state', 'NL', '--persons', '20', '--database', database]);
  expect(seeded.code, seeded.stderr).toBe(0);
}, 120_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const memberArgs = ['member', '--state', 'NL', '--port', '0', '--database', database, '--gateway-key', join(keysDir, 'gateway.jwk')];

/** The command line a process was started with. */
function cmdline(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
}

/** /proc/<pid>/stat after the command name: state, ppid, … */
function stat(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
  } catch {
    return undefined;
  }
}

/** Running, and not a zombie. */
const alive = (pid: number) => {
  const state = stat(pid)?.[0];
  return state !== undefined && state !== 'Z';
};

/** The live processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((child) => stat(child)?.[1] === String(pid) && alive(child));
}

async function until<T>(what: string, check: () => T | undefined, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${limitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `hague member` and waits until it serves: its URL, and the pid of the process that serves. */
async function startMember(env: Record<string, string> = {}): Promise<{ cli: RunningCli; url: string; server: number }> {
  const cli = startCli(memberArgs, env);
  const [, url] = await cli.waitFor(/subgraph at (http:\/\/\S+\/graphql)/);
  await cli.waitFor(/Ctrl-C to stop/);
  const children = childrenOf(cli.child.pid!);
  expect(children.length, 'the launcher has at most one child').toBeLessThanOrEqual(1);
  return { cli, url, server: children[0] ?? cli.child.pid! };
}

/** The server answers (a query without a context token is refused by the member itself). */
async function expectServing(url: string): Promise<void> {
  const refused = await postQuery(url, '{ persons(filter: { documentNumber: "EM482913" }) { id } }');
  expect(refused.status).toBe(401);
  expect(refused.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
}

describe('runtimeFlags', () => {
  it('gives the defaults, HAGUE_NODE_FLAGS in their place when set, and never a flag node already has', () => {
    expect(DEFAULT_RUNTIME_FLAGS).toContainEqual(expect.stringMatching(/^--max-semi-space-size=\d+$/));
    expect(runtimeFlags({}, [])).toEqual(DEFAULT_RUNTIME_FLAGS);
    expect(runtimeFlags({ HAGUE_NODE_FLAGS: '' }, [])).toEqual([]);
    expect(runtimeFlags({ HAGUE_NODE_FLAGS: ' --max-semi-space-size=32   --max-old-space-size=2048 ' }, [])).toEqual([
      '--max-semi-space-size=32',
      '--max-old-space-size=2048',
    ]);
    // The operator's own choice, on node's command line or in NODE_OPTIONS, either spelling, wins.
    expect(runtimeFlags({}, ['--import', 'tsx', '--max_semi_space_size=8'])).toEqual([]);
    expect(runtimeFlags({ NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=8' }, [])).toEqual([]);
    expect(runtimeFlags({ HAGUE_NODE_FLAGS: '--max-semi-space-size=32 --max-old-space-size=2048' }, ['--max-semi-space-size=8'])).toEqual([
      '--max-old-space-size=2048',
    ]);
    expect(runtimeFlags({ NODE_OPTIONS: '--enable-source-maps' }, ['--import', 'tsx'])).toEqual(DEFAULT_RUNTIME_FLAGS);
  });
});

describe('hague member under the launcher', { timeout: 120_000 }, () => {
  it('serves from a child node started with the runtime flags; SIGTERM stops both, exit code 0', async () => {
    const { cli, url, server } = await startMember();
    let code: number | null | undefined;
    try {
      expect(server).not.toBe(cli.child.pid);
      expect(cmdline(cli.child.pid!)).not.toEqual(expect.arrayContaining(DEFAULT_RUNTIME_FLAGS));
      // node, the flags, this script and its arguments, as they were.
      expect(cmdline(server)).toEqual([process.execPath, ...DEFAULT_RUNTIME_FLAGS, HAGUE, ...memberArgs]);
      // The member's own log line names the pid it runs in: the child's (pino writes it asynchronously, so wait for it).
      expect((await cli.waitFor(new RegExp(`"pid":${server},`), 10_000))[0]).toBe(`"pid":${server},`);
      await expectServing(url);
    } finally {
      code = await cli.stop('SIGTERM');
    }
    expect(code, cli.output()).toBe(0);
    expect(alive(server)).toBe(false);
  });

  it('HAGUE_NODE_FLAGS= (empty) serves in the launched process itself, without them', async () => {
    const { cli, url, server } = await startMember({ HAGUE_NODE_FLAGS: '' });
    try {
      expect(server).toBe(cli.child.pid);
      expect(cmdline(server)).toEqual([process.execPath, HAGUE, ...memberArgs]);
      expect((await cli.waitFor(new RegExp(`"pid":${server},`), 10_000))[0]).toBe(`"pid":${server},`);
      await expectServing(url);
    } finally {
      expect(await cli.stop('SIGTERM')).toBe(0);
    }
  });

  it('HAGUE_NODE_FLAGS replaces the defaults; a flag NODE_OPTIONS already sets is not given twice; Ctrl-C stops it', async () => {
    const { cli, url, server } = await startMember({
      HAGUE_NODE_FLAGS: '--max-semi-space-size=32 --max-old-space-size=3000',
      NODE_OPTIONS: '--max-old-space-size=2500',
    });
    let code: number | null | undefined;
    try {
      expect(cmdline(server)).toEqual([process.execPath, '--max-semi-space-size=32', HAGUE, ...memberArgs]);
      await expectServing(url);
    } finally {
      code = await cli.stop('SIGINT');
    }
    expect(code, cli.output()).toBe(0);
    expect(alive(server)).toBe(false);
  });

  it('a flag node already has means no second process', async () => {
    const { cli, server } = await startMember({ NODE_OPTIONS: `${DEFAULT_RUNTIME_FLAGS.join(' ')}` });
    try {
      expect(server).toBe(cli.child.pid);
    } finally {
      expect(await cli.stop('SIGTERM')).toBe(0);
    }
  });

  it('the server stops by itself when its launcher is killed with SIGKILL', async () => {
    const { cli, url, server } = await startMember();
    try {
      expect(server).not.toBe(cli.child.pid);
      await expectServing(url);
      cli.child.kill('SIGKILL');
      await cli.exited;
      await until('the server to exit', () => (alive(server) ? undefined : true));
    } finally {
      if (alive(server)) process.kill(server, 'SIGKILL');
    }
  });
});

describe('hague dev under the launcher', { timeout: 240_000 }, () => {
  it('runs its gateway and the member states it starts with the runtime flags; Ctrl-C stops every process', async () => {
    const dataDir = join(folder, 'dev');
    const dev = startCli([
      'dev',
      '--members',
      '1',
      '--persons',
      '60',
      '--data-dir',
      dataDir,
      '--keys-dir',
      join(dataDir, 'keys'),
      '--port',
      '0',
      '--member-port',
      '0',
    ]);
    let code: number | null | undefined;
    const pids: number[] = [];
    try {
      await dev.waitFor(/Ctrl-C to stop/, 180_000);
      const out = dev.output();
      const gateway = Number(out.match(/^Gateway\s+http:\/\/\S+\s+pid (\d+)$/m)?.[1]);
      const member = Number(out.match(/^ {2}NL .* pid (\d+)$/m)?.[1]);
      pids.push(gateway, member);
      expect(childrenOf(dev.child.pid!)).toEqual([gateway]);
      expect(cmdline(gateway).slice(0, 1 + DEFAULT_RUNTIME_FLAGS.length)).toEqual([process.execPath, ...DEFAULT_RUNTIME_FLAGS]);
      expect(cmdline(member)).toEqual(expect.arrayContaining(DEFAULT_RUNTIME_FLAGS));
      expect(cmdline(member)).toContain('member');
      expect(stat(member)?.[1]).toBe(String(gateway));
    } finally {
      code = await dev.stop('SIGINT');
    }
    expect(dev.output()).toMatch(/SIGINT: stopping the gateway and 1 member states\.\.\.\nstopped/);
    expect(dev.output()).not.toContain('forced stop'); // one Ctrl-C reached hague dev once
    expect(code).toBe(0);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
  });
});
