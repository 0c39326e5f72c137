import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { request, type Dispatcher } from 'undici';
import { ConfigError } from '../common/config-error.ts';

/**
 * Runs `hague` sub-commands as child processes and keeps them running (what `hague dev` does with
 * its member states): each child's output is prefixed with its label, a child that exits when
 * nobody asked it to is restarted with exponential back-off (one line says so each time), and a
 * stop is SIGTERM, a wait, and SIGKILL after a grace period.
 *
 * The child side: a child started here has an IPC channel to its supervisor. `followSupervisor`
 * (called by `hague member`) makes it leave Ctrl-C to the supervisor, and exit by itself when the
 * channel closes, i.e. when the supervisor is gone however it went (even kill -9): no orphans.
 */

export interface Backoff {
  /** Delay before the first restart. */
  firstMs: number;
  /** The delay doubles with every consecutive restart, up to this. */
  maxMs: number;
  /** A child that stayed up this long before it exited starts again from `firstMs`. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { firstMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/** How long a stopping child may take after SIGTERM before it is killed. */
export const DEFAULT_STOP_GRACE_MS = 10_000;
/** How long a child may take from spawn to answering its ready URL. */
export const DEFAULT_READY_TIMEOUT_MS = 120_000;

/** The delay before restart number `consecutive` (1 = the first after a stable run): 0.5 s, 1 s, 2 s, … up to the cap. */
export function restartDelay(consecutive: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.min(backoff.firstMs * 2 ** Math.max(0, consecutive - 1), backoff.maxMs);
}

export interface ChildSpec {
  /** Put before every line of the child's output: `[NL] …`. */
  label: string;
  /** What the supervisor's own lines call it: "member NL". */
  name: string;
  /** The `hague` sub-command and its flags, e.g. ['member', '--state', 'NL', '--port', '4101']. */
  args: string[];
  /** Answering 2xx here means ready (polled). */
  readyUrl: string;
  /** How readyUrl is asked (an undici Agent with the gateway's client certificate for a member over mutual TLS); absent: a plain fetch. */
  readyDispatcher?: Dispatcher;
}

export interface SupervisorOptions {
  backoff?: Backoff;
  readyTimeoutMs?: number;
  /** The supervisor's own lines (restarts, kills). Default: stdout. */
  notice?: (line: string) => void;
  /**
   * The CLI entry the child runs: the script this process was started with (bin/hague.js, whether it
   * runs TypeScript through tsx or compiled JavaScript), under the same node flags (loaders).
   */
  entry?: string;
  /** Node flags of the child. Default: this process's own (process.execArgv: tsx's loader, if any). */
  execArgv?: string[];
}

interface Run {
  child: ChildProcess;
  spawnedAt: number;
  /** Resolves once the ready URL answers, rejects if the child exits first (or never gets ready). */
  ready: Promise<void>;
  /** Resolves when the child has exited and its output is read. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export class SupervisedChild {
  /** Restarts so far (exits nobody asked for). */
  restarts = 0;
  private run?: Run;
  private stopping = false;
  private consecutive = 0;
  private timer?: NodeJS.Timeout;
  private readonly backoff: Backoff;
  private readonly notice: (line: string) => void;

  constructor(
    readonly spec: ChildSpec,
    private readonly options: SupervisorOptions = {},
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.notice = options.notice ?? ((line) => console.log(line));
  }

  /** The running child's process id (undefined while it is down). */
  get pid(): number | undefined {
    const child = this.run?.child;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /**
   * Starts the child and resolves once it is ready. A child that exits before it is ready is not
   * restarted: the start fails (its output, prefixed, says why), as a bad flag or a taken port will
   * not get better by retrying.
   */
  async start(): Promise<void> {
    const run = this.launch();
    try {
      await run.ready;
    } catch (error) {
      const { code, signal } = await run.closed;
      if (this.stopping) return;
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`${this.spec.name} ${describeExit(code, signal)} before it was ready (its output above says why)`);
    }
    this.watch(run);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. No restart follows. */
  async stop(graceMs = DEFAULT_STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const run = this.run;
    if (!run) return;
    if (alive(run.child)) run.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    if ((await Promise.race([run.closed, grace])) === 'late' && alive(run.child)) {
      this.notice(`${this.spec.name} did not stop within ${seconds(graceMs)} after SIGTERM: killed`);
      run.child.kill('SIGKILL');
    }
    clearTimeout(timer);
    await run.closed;
  }

  /** SIGKILL at once, no restart (a second Ctrl-C). */
  kill(): void {
    this.stopping = true;
    clearTimeout(this.timer);
    if (this.run && alive(this.run.child)) this.run.child.kill('SIGKILL');
  }

  private launch(): Run {
    const entry = this.options.entry ?? process.argv[1];
    const child = spawn(process.execPath, [...(this.options.execArgv ?? process.execArgv), entry, ...this.spec.args], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: process.env,
    });
    // Until the child is ready its stdout (start-up chatter) is held back and shown only if it dies
    // before it is ready; stderr (warnings, errors) always shows.
    let held: string[] | undefined = [];
    const prefix = `[${this.spec.label}] `;
    const lines = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream, holdBack: boolean) =>
      new Promise<void>((resolve) => {
        const reader = createInterface({ input: stream, crlfDelay: Infinity });
        reader.on('line', (line) => {
          if (holdBack && held) held.push(line);
          else out.write(`${prefix}${line}\n`);
        });
        reader.on('close', resolve);
      });
    const output = Promise.all([lines(child.stdout!, process.stdout, true), lines(child.stderr!, process.stderr, false)]);
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('error', (error) => {
        process.stderr.write(`${prefix}cannot start: ${error.message}\n`);
        resolve({ code: null, signal: null });
      });
      child.once('close', (code, signal) => resolve({ code, signal }));
    }).then(async (exit) => {
      await output;
      for (const line of held ?? []) process.stdout.write(`${prefix}${line}\n`);
      held = undefined;
      return exit;
    });
    const ready = this.waitReady(child, closed).then(() => {
      held = undefined;
    });
    ready.catch(() => {}); // handled by whoever awaits it
    const run: Run = { child, spawnedAt: Date.now(), ready, closed };
    this.run = run;
    return run;
  }

  private async waitReady(child: ChildProcess, closed: Promise<unknown>): Promise<void> {
    let exited = false;
    void closed.then(() => (exited = true));
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
    while (!exited && !this.stopping) {
      try {
        if (this.spec.readyDispatcher) {
          const res = await request(this.spec.readyUrl, { dispatcher: this.spec.readyDispatcher, signal: AbortSignal.timeout(2000) });
          await res.body.arrayBuffer();
          if (res.statusCode >= 200 && res.statusCode < 300) return;
        } else {
          const res = await fetch(this.spec.readyUrl, { signal: AbortSignal.timeout(2000) });
          await res.arrayBuffer();
          if (res.ok) return;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new ConfigError(
          `${this.spec.name} was not ready within ${seconds(this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS)} (${this.spec.readyUrl})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.spec.name} exited before it was ready`);
  }

  /** Restarts the child whenever it exits unless stopping. */
  private watch(run: Run): void {
    void run.closed.then(({ code, signal }) => {
      if (this.stopping || this.run !== run) return;
      if (Date.now() - run.spawnedAt >= this.backoff.resetAfterMs) this.consecutive = 0;
      this.consecutive++;
      this.restarts++;
      const delay = restartDelay(this.consecutive, this.backoff);
      this.notice(`${this.spec.name} ${describeExit(code, signal)}; restarting in ${seconds(delay)} (restart ${this.restarts})`);
      this.timer = setTimeout(() => this.relaunch(), delay);
    });
  }

  private relaunch(): void {
    if (this.stopping) return;
    const run = this.launch();
    this.watch(run);
    run.ready.then(
      () => this.notice(`${this.spec.name} is back (pid ${run.child.pid}, restart ${this.restarts})`),
      () => {}, // it exited before it was ready: watch() restarts it, later
    );
  }
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `exited (signal ${signal})`;
  if (code === null) return 'could not be started';
  return `exited (code ${code})`;
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/**
 * In a child started by SupervisedChild: Ctrl-C at the terminal reaches the whole process group, but
 * the supervisor decides (it sends SIGTERM to each child, in order, and counts them); and when the
 * supervisor's channel closes (it exited, or was killed with no chance to stop anyone), `stop` runs,
 * and the process exits after `graceMs` even if `stop` hangs. Returns false (and does nothing) in a
 * process that has no supervisor.
 */
export function followSupervisor(stop: () => unknown, graceMs = DEFAULT_STOP_GRACE_MS): boolean {
  if (!process.send) return false;
  process.on('SIGINT', () => {
    /* the supervisor stops us */
  });
  const leave = () => {
    setTimeout(() => process.exit(1), graceMs).unref();
    void stop();
  };
  if (!process.connected) leave();
  else process.once('disconnect', leave);
  return true;
}
