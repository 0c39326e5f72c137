import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { MemberState } from '../common/member-states.ts';
import { startChild } from './child.ts';

/**
 * The bench's data cache: one SQLite file per state and size, seeded once with the deterministic
 * demo data (`.hague/bench-data/<persons>/<STATE>.db`) and reused by every later run. Seeding
 * 100k persons takes ~12 s per state; the states are seeded by parallel child processes.
 */

export const DEFAULT_DATA_DIR = '.hague/bench-data';

export function stateFile(dataDir: string, persons: number, state: MemberState): string {
  return resolve(join(dataDir, String(persons), `${state}.db`));
}

/** Seeds the states missing from the cache; `concurrency` workers in parallel. Returns the seconds spent. */
export async function ensureStateData(
  dataDir: string,
  persons: number,
  states: readonly MemberState[],
  concurrency: number,
  log: (line: string) => void,
): Promise<number> {
  mkdirSync(join(dataDir, String(persons)), { recursive: true });
  const missing = states.filter((s) => !existsSync(stateFile(dataDir, persons, s)));
  if (missing.length === 0) {
    log(`data: ${states.length} states × ${persons} persons cached in ${join(dataDir, String(persons))}`);
    return 0;
  }
  log(`data: seeding ${missing.length} states × ${persons} persons into ${join(dataDir, String(persons))} (once; reused by later runs)`);
  const started = performance.now();
  const tty = process.stderr.isTTY;
  const bars = new cliProgress.MultiBar(
    {
      format: 'seeding {state} [{bar}] {percentage}% | {value}/{total} persons | {duration_formatted}',
      stream: process.stderr,
      hideCursor: tty ? true : null,
      noTTYOutput: !tty,
      notTTYSchedule: 10_000,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  const total = bars.create(missing.length, 0, { state: 'all' }, { format: 'states   [{bar}] {value}/{total} states seeded | {duration_formatted}' });
  const queue = [...missing];
  const worker = async () => {
    for (let state = queue.shift(); state; state = queue.shift()) {
      const bar = bars.create(persons, 0, { state });
      const child = startChild(`seed ${state}`, 'seed-worker.ts', [state, String(persons), stateFile(dataDir, persons, state)]);
      child.on((m) => {
        if (m.type === 'progress') bar.update(m.done as number);
      });
      const code = await child.exited;
      bars.remove(bar);
      if (code !== 0) throw new Error(`seeding ${state} failed (exit ${code})`);
      total.increment();
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, missing.length) }, worker));
  } finally {
    bars.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const bytes = states.reduce((sum, s) => sum + statSync(stateFile(dataDir, persons, s)).size, 0);
  log(`data: seeded ${missing.length} states in ${seconds.toFixed(0)} s (${(bytes / 1e6).toFixed(0)} MB for ${states.length} states)`);
  return seconds;
}
