import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { constants, PerformanceObserver, type NodeGCPerformanceDetail } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runtimeFlags } from '../bin/runtime-flags.js';

/**
 * The bench's child processes (members, gateways, the monolith, seed workers): TypeScript run
 * through tsx, talking to the bench over IPC. Every role answers `{ type: 'stats' }` with its own
 * CPU time and RSS, so the bench can tell gateway work from member work.
 */

export interface ProcessStats {
  /** process.cpuUsage(): user + system, microseconds since start. */
  cpuMicros: number;
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size since start (or since the last `resetPeak`), bytes (process.resourceUsage().maxRSS). */
  maxRss: number;
  /** Role-specific counters, e.g. GraphQL requests received. */
  counters: Record<string, number>;
  /** Garbage collections since start: scavenges (young generation), mark-compacts (whole heap), and their pauses in ms. */
  gc: GcStats;
}

export interface GcStats {
  scavenges: number;
  markCompacts: number;
  pauseMs: number;
}

const gcStats: GcStats = { scavenges: 0, markCompacts: 0, pauseMs: 0 };
let gcObserver: PerformanceObserver | undefined;

/** Counts this process's garbage collections from now on (node:perf_hooks 'gc' entries). */
function observeGc(): void {
  gcObserver ??= new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const { kind } = (entry as unknown as { detail: NodeGCPerformanceDetail }).detail;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcStats.scavenges++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcStats.markCompacts++;
      gcStats.pauseMs += entry.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
}

export function ownStats(counters: Record<string, number> = {}): ProcessStats {
  const cpu = process.cpuUsage();
  return { cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage.rss(), maxRss: process.resourceUsage().maxRSS * 1024, counters, gc: { ...gcStats } };
}

type Message = { type: string; id?: number; [key: string]: unknown };

export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  private readonly listeners: Array<(m: Message) => void> = [];
  readonly exited: Promise<number | null>;
  private stderr = '';

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    process.on('message', (message: Message) => {
      if (message.id !== undefined && this.pending.has(message.id)) {
        const waiter = this.pending.get(message.id)!;
        this.pending.delete(message.id);
        if (message.type === 'error') waiter.reject(new Error(`${name}: ${String(message.message)}`));
        else waiter.resolve(message);
      }
      for (const listener of this.listeners) listener(message);
    });
    process.stderr?.on('data', (d) => {
      this.stderr = (this.stderr + String(d)).slice(-20_000);
    });
    this.exited = new Promise((resolve) =>
      process.once('exit', (code) => {
        for (const waiter of this.pending.values())
          waiter.reject(new Error(`${name} exited (${code}) before answering${this.stderr ? `:\n${this.stderr}` : ''}`));
        this.pending.clear();
        resolve(code);
      }),
    );
  }

  /** Sends a request and resolves with the child's answer (same id). */
  ask<T extends Message = Message>(message: Message): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (m: Message) => void, reject });
      this.process.send({ ...message, id });
    });
  }

  on(listener: (m: Message) => void): void {
    this.listeners.push(listener);
  }

  /** Waits for the first message of `type` (e.g. 'ready'). */
  waitFor<T extends Message = Message>(type: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${this.name} exited (${code}) before ${type}${this.stderr ? `:\n${this.stderr}` : ''}`));
      this.process.once('exit', onExit);
      this.listeners.push((m) => {
        if (m.type === type) {
          this.process.off('exit', onExit);
          resolve(m as T);
        }
        if (m.type === 'fatal') {
          this.process.off('exit', onExit);
          reject(new Error(`${this.name}: ${String(m.message)}`));
        }
      });
    });
  }

  /** CPU time and RSS; `gc` first runs a full garbage collection, so each measured run pays for its own garbage only. */
  async stats(gc = false): Promise<ProcessStats> {
    const answer = await this.ask<Message & { stats: ProcessStats }>({ type: 'stats', gc });
    return answer.stats;
  }

  /** Resets the child's peak RSS (Linux); false where the kernel does not allow it (the peak then runs from the start). */
  async resetPeak(): Promise<boolean> {
    const answer = await this.ask<Message & { reset: boolean }>({ type: 'resetPeak' });
    return answer.reset;
  }

  /** Asks the child to close its servers and exit; kills it if it does not within `ms`. */
  async stop(ms = 10_000): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    try {
      this.process.send({ type: 'stop' });
    } catch {
      /* channel closed */
    }
    const timer = setTimeout(() => this.process.kill('SIGKILL'), ms);
    await this.exited;
    clearTimeout(timer);
  }
}

/**
 * The Node flags `hague gateway`, `hague member` and `hague dev` run under (bin/runtime-flags.js:
 * the defaults, or HAGUE_NODE_FLAGS as the launcher reads it), for the roles that stand for them.
 */
export const SERVER_FLAGS: string[] = runtimeFlags(process.env, []);

/** Starts `bench/<script>` (TypeScript) as a child with IPC; `execArgv` adds Node flags (SERVER_FLAGS, --cpu-prof...). */
export function startChild(name: string, script: string, args: string[] = [], execArgv: string[] = []): Child {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = fork(file, args, {
    execArgv: ['--import', 'tsx', '--expose-gc', ...execArgv],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, APOLLO_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    serialization: 'advanced',
  });
  return new Child(name, child);
}

/**
 * The children of one bench run: every one pushed to `children` is stopped by `stopAll()`, or on
 * SIGINT / SIGTERM (then the bench exits 130). `stopAll()` also removes the signal handlers.
 */
export function benchChildren(): { children: Child[]; stopAll: () => Promise<void> } {
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop().catch(() => {})));
  };
  const onSignal = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    children,
    stopAll: async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stop();
    },
  };
}

/**
 * One member state in a child process (roles/member.ts) under `hague member`'s Node flags, added to `children` (stopped with them)
 * and started with `start` (state, database, gateway key, and the role's other options): its child
 * and the URLs of the sides it serves.
 */
export async function startMemberChild(
  children: Child[],
  start: { state: string; database: string } & Record<string, unknown>,
): Promise<{ child: Child; urls: { on: string; off: string } }> {
  const child = startChild(`member ${start.state}`, 'roles/member.ts', [], SERVER_FLAGS);
  children.push(child);
  await child.waitFor('ready');
  const { urls } = await child.ask<{ type: string; urls: { on: string; off: string } }>({ type: 'start', ...start });
  return { child, urls };
}

/** The CPU profiler of this process (node:inspector), started and stopped by the bench around a measured run. */
let profiler: Session | undefined;

async function profileStart(): Promise<void> {
  profiler ??= new Session();
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 250 });
  await profiler.post('Profiler.start');
}

async function profileStop(file: string): Promise<void> {
  if (!profiler) throw new Error('no profile running');
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(file, JSON.stringify(profile));
  profiler.disconnect();
}

/** In a child: answers the bench's requests with `handlers`, `stats`, `profileStart/Stop` and `stop` built in. */
export function serveParent(handlers: {
  counters?: () => Record<string, number>;
  stop?: () => Promise<void>;
  [type: string]: ((message: Message) => unknown) | (() => Record<string, number>) | (() => Promise<void>) | undefined;
}): void {
  observeGc();
  process.on('message', async (message: Message) => {
    const reply = (answer: Record<string, unknown>) => process.send?.({ ...answer, id: message.id });
    try {
      if (message.type === 'stats') {
        if (message.gc) (globalThis as { gc?: () => void }).gc?.();
        reply({ type: 'stats', stats: ownStats(handlers.counters?.() ?? {}) });
        return;
      }
      if (message.type === 'resetPeak') {
        // Linux: writing 5 to clear_refs resets the peak RSS (VmHWM, and getrusage's maxRSS with it),
        // so `maxRss` in the next stats is the peak since this request (bench/hostile.ts, per phase).
        let reset = true;
        try {
          writeFileSync('/proc/self/clear_refs', '5');
        } catch {
          reset = false;
        }
        reply({ type: 'ok', reset });
        return;
      }
      if (message.type === 'profileStart') {
        await profileStart();
        reply({ type: 'ok' });
        return;
      }
      if (message.type === 'profileStop') {
        await profileStop(message.file as string);
        reply({ type: 'ok' });
        return;
      }
      if (message.type === 'stop') {
        await handlers.stop?.();
        process.exit(0);
      }
      const handler = handlers[message.type];
      if (!handler) throw new Error(`unknown request ${message.type}`);
      reply({ type: 'ok', ...(((await handler(message)) as Record<string, unknown>) ?? {}) });
    } catch (error) {
      reply({ type: 'error', message: (error as Error).stack ?? String(error) });
    }
  });
  // The bench going away takes its children with it.
  process.on('disconnect', () => {
    void (handlers.stop?.() ?? Promise.resolve()).finally(() => process.exit(0));
  });
}
