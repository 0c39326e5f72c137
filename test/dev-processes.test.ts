import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { postQuery, runCli, startCli, type GraphQLAnswer, type RunningCli } from './support/network.ts';
import { issueDevToken } from '../common/dev-identity.ts';
import { DEFAULT_BACKOFF, SupervisedChild, restartDelay } from '../cli/supervisor.ts';

/**
 * `hague dev` runs each member state as its own process (cli/supervisor.ts), with real processes:
 * a state killed with SIGKILL costs only its own part of a joint answer while it is down, comes back
 * by itself, one Ctrl-C stops every process, and states whose supervisor was killed hard exit on
 * their own.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'hague-dev-proc-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const keysDir = join(dataDir, 'keys');
const args = (members: number) => [
  'dev',
  '--members',
  String(members),
  '--persons',
  '60',
  '--data-dir',
  dataDir,
  '--keys-dir',
  keysDir,
  '--port',
  '0',
  '--member-port',
  '0',
];
// The shared passport of the demo subject Belhaouari, held by NL, BE and FR.
const JOINT = `{ persons(filter: { documentNumber: "EM482913" }) { memberState id familyName } }`;

/** Running, and not a zombie waiting for a parent to reap it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false; // gone between the two looks
  }
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, limitMs = 90_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${limitMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The member pids from the start-up banner: `  NL Netherlands http://… (…) pid 1234`. */
function memberPids(out: string): Record<string, number> {
  return Object.fromEntries([...out.matchAll(/^ {2}([A-Z]{2}) .* pid (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

async function startDev(members: number): Promise<{ dev: RunningCli; url: string; pids: Record<string, number> }> {
  const dev = startCli(args(members));
  await dev.waitFor(/Ctrl-C to stop/, 120_000);
  const out = dev.output();
  return { dev, url: out.match(/Gateway\s+(http:\/\/\S+\/graphql)/)![1], pids: memberPids(out) };
}

it('restart delays double from 0.5 s up to 30 s', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelay(n))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  expect(DEFAULT_BACKOFF.maxMs).toBe(30_000);
});

// Real processes on a shared machine: each test starts a whole dev network, several times over.
/** A port on 127.0.0.1 that something else holds, until `close`. */
async function takenPort(): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((socket) => socket.destroy()); // dev's readiness poll knocks here too
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

it('a child that keeps exiting is restarted with a doubling delay, each time said, its output marked with its label', async () => {
  // A real process that answers its ready URL once, then exits with code 3 (and says so on both streams).
  const script = join(dataDir, 'flaky.mjs');
  writeFileSync(
    script,
    `import { createServer } from 'node:http';
     console.log('up');
     const server = createServer((req, res) => {
       res.end('ok');
       console.error('failing now');
       setTimeout(() => process.exit(3), 20);
     }).listen(Number(process.argv[2]), '127.0.0.1');`,
  );
  const { port, close } = await takenPort();
  await close();
  const notices: string[] = [];
  const written: string[] = [];
  const child = new SupervisedChild(
    { label: 'XX', name: 'flaky XX', args: [String(port)], readyUrl: `http://127.0.0.1:${port}/readyz` },
    { entry: script, execArgv: [], backoff: { firstMs: 100, maxMs: 400, resetAfterMs: 60_000 }, notice: (line) => notices.push(line) },
  );
  const stderrWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string) => {
    written.push(String(chunk));
    return true;
  };
  try {
    await child.start();
    await until('four restarts', () => (notices.filter((n) => n.includes('restarting')).length >= 4 ? true : undefined), 60_000);
  } finally {
    await child.stop();
    process.stderr.write = stderrWrite;
  }
  expect(notices.filter((n) => n.includes('restarting')).slice(0, 4)).toEqual([
    'flaky XX exited (code 3); restarting in 0.1 s (restart 1)',
    'flaky XX exited (code 3); restarting in 0.2 s (restart 2)',
    'flaky XX exited (code 3); restarting in 0.4 s (restart 3)',
    'flaky XX exited (code 3); restarting in 0.4 s (restart 4)',
  ]);
  expect(notices).toContainEqual(expect.stringMatching(/^flaky XX is back \(pid \d+, restart 1\)$/));
  expect(written).toContain('[XX] failing now\n');
  expect(child.pid).toBeUndefined();
});

describe('hague dev with one process per state', { timeout: 300_000 }, () => {
  it('a killed state costs only its part while down, comes back by itself, and Ctrl-C stops every process', async () => {
    const { dev, url, pids } = await startDev(3);
    const all = new Set(Object.values(pids));
    try {
      expect(Object.keys(pids)).toEqual(['NL', 'BE', 'FR']);
      for (const pid of all) expect(alive(pid)).toBe(true);
      expect(all.has(dev.child.pid!)).toBe(false);
      const headers = {
        authorization: `Bearer ${await issueDevToken({ state: 'BE', roles: ['analyst'], clearance: 'SECRET', keysDir })}`,
        'x-hague-purpose': 'counter-terrorism',
      };
      const ask = () => postQuery(url, JOINT, undefined, headers);
      const states = (a: GraphQLAnswer) => (a.body.data?.persons ?? []).map((p: { memberState: string }) => p.memberState);
      expect(states(await ask())).toEqual(['NL', 'BE', 'FR']);

      // kill -9 NL, then ask while it is down. A restart takes at least the back-off delay plus a
      // process start, so the question nearly always lands in the outage; if NL was already back,
      // it is killed again (the next delay is twice as long).
      let outage: GraphQLAnswer | undefined;
      let nl = pids.NL;
      let attempt = 0;
      while (!outage && ++attempt <= 4) {
        process.kill(nl, 'SIGKILL');
        await dev.waitFor(new RegExp(`^member NL exited \\(signal SIGKILL\\); restarting in [\\d.]+ s \\(restart ${attempt}\\)$`, 'm'), 30_000);
        const answer = await ask();
        if (states(answer).includes('NL')) {
          nl = Number((await dev.waitFor(new RegExp(`^member NL is back \\(pid (\\d+), restart ${attempt}\\)$`, 'm'), 120_000))[1]);
          continue;
        }
        outage = answer;
      }
      expect(outage, dev.output()).toBeDefined();
      expect(outage!.status).toBe(200);
      expect(states(outage!)).toEqual(['BE', 'FR']);
      expect(outage!.body.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'MEMBER_UNAVAILABLE', memberState: 'NL' }) }),
      ]);
      expect(alive(pids.BE) && alive(pids.FR)).toBe(true);

      // Back without anyone touching anything: a new NL process, its data in the joint answer again.
      const back = await dev.waitFor(new RegExp(`^member NL is back \\(pid (\\d+), restart ${attempt}\\)$`, 'm'), 120_000);
      const restarted = Number(back[1]);
      expect(restarted).not.toBe(pids.NL);
      expect(alive(restarted)).toBe(true);
      all.add(restarted);
      const healed = await until('NL data in the joint answer', async () => {
        const answer = await ask();
        return answer.body.errors === undefined ? answer : undefined;
      });
      expect(states(healed)).toEqual(['NL', 'BE', 'FR']);
      expect(healed.body.data.persons[0]).toMatchObject({ memberState: 'NL', id: 'NL-P-000001' });
    } finally {
      const code = await dev.stop('SIGINT');
      expect(dev.output()).toMatch(/SIGINT: stopping the gateway and 3 member states\.\.\.\nstopped/);
      expect(code).toBe(0);
    }
    // The supervisor waited for every state before it exited: none is left.
    for (const pid of all) expect(alive(pid), `pid ${pid}`).toBe(false);
  });

  it('a state that cannot start stops hague dev with its reason, exit code 2', async () => {
    // The state's own audit log cannot be opened (a folder where its file should be): only the state's process finds out.
    const otherDir = mkdtempSync(join(tmpdir(), 'hague-dev-proc-'));
    const auditDir = join(otherDir, 'NL.audit.db');
    mkdirSync(auditDir);
    try {
      const result = await runCli(
        ['dev', '--members', '1', '--persons', '60', '--data-dir', otherDir, '--keys-dir', keysDir, '--port', '0', '--member-port', '0'],
        180_000,
      );
      expect(result.stderr).toMatch(new RegExp(`^\\[NL\\] hague: audit log ${auditDir} is not a file$`, 'm'));
      expect(result.stderr).toMatch(/^hague: member NL exited \(code 2\) before it was ready \(its output above says why\)$/m);
      expect(result.code).toBe(2);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('a member port held by another program is refused before any state starts', async () => {
    const taken = await takenPort();
    try {
      const result = await runCli([...args(1), '--member-port', String(taken.port)], 180_000);
      expect(result.stderr).toBe(
        `hague: member NL: port ${taken.port} is already in use; stop the other process or choose another --member-port (0: any free ports)\n`,
      );
      expect(result.code).toBe(2);
    } finally {
      await taken.close();
    }
  });

  it('states exit on their own when hague dev itself is killed with SIGKILL', async () => {
    const { dev, pids } = await startDev(2);
    expect(Object.keys(pids)).toEqual(['NL', 'BE']);
    for (const pid of Object.values(pids)) expect(alive(pid)).toBe(true);
    dev.child.kill('SIGKILL');
    await dev.exited;
    try {
      // Nobody is left to send them SIGTERM: each notices its supervisor's channel close.
      await until('both states to exit', () => (Object.values(pids).some(alive) ? undefined : true), 60_000);
    } finally {
      for (const pid of Object.values(pids)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});
