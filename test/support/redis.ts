import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from './ports.ts';

/** A throwaway redis-server from the distribution (apt-get install redis-server; .ci/run installs it). */
export const REDIS_SERVER = '/usr/bin/redis-server';
export const haveRedis = existsSync(REDIS_SERVER);
/** Skipped locally without redis-server, saying so; never under CI=true, where a missing one fails the tests. */
export const skipRedis = !haveRedis && process.env.CI !== 'true';

export function warnIfNoRedis(file: string): void {
  if (skipRedis) console.warn(`${file}: Redis tests SKIPPED, ${REDIS_SERVER} is missing (apt-get install -y redis-server); CI=true makes this a failure`);
}

export interface TestRedis {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts redis-server on a free 127.0.0.1 port, without persistence. */
export async function startRedis(): Promise<TestRedis> {
  if (!haveRedis) throw new Error(`${REDIS_SERVER} is missing (apt-get install -y redis-server), and CI must not skip the Redis tests`);
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}:\n${output}`)), 20_000);
    child.stdout.on('data', (d) => {
      output += String(d);
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `redis://127.0.0.1:${port}`,
    process: child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
