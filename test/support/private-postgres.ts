import { spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * A PostgreSQL cluster of a test's (or the fault bench's) own, that it may stop and start: the
 * suite's shared server (global-setup.ts) is never stopped, other test files use it.
 */
export class PrivatePostgres {
  readonly dir = mkdtempSync(join(isRoot ? '/tmp' : tmpdir(), 'hague-pg-private-'));
  readonly data = join(this.dir, 'data');
  readonly log = join(this.dir, 'server.log');
  port = 0;
  constructor(private readonly binDir: string) {
    if (isRoot) {
      // initdb and postgres refuse root: run them as the postgres OS user (the global setup creates it).
      const ids = ['-u', '-g'].map((flag) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
      if (ids.some((r) => r.status !== 0)) throw new Error('running as root and there is no postgres OS user to run PostgreSQL as');
      chownSync(this.dir, Number(ids[0].stdout.trim()), Number(ids[1].stdout.trim()));
    }
  }

  run(bin: string, args: string[]): Promise<string> {
    const [cmd, argv] = isRoot ? ['runuser', ['-u', 'postgres', '--', join(this.binDir, bin), ...args]] : [join(this.binDir, bin), args];
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, argv, { cwd: this.dir, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`${bin} ${args.join(' ')} exited ${code}:\n${output}`))));
    });
  }

  async init(): Promise<void> {
    await this.run('initdb', ['-D', this.data, '-U', 'hague', '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync']);
    this.port = await freePort();
  }

  get url(): string {
    return `postgres://hague@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<void> {
    const options = `-k ${this.dir} -p ${this.port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`;
    try {
      await this.run('pg_ctl', ['-D', this.data, '-l', this.log, '-w', '-t', '60', '-o', options, 'start']);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${readFileSync(this.log, 'utf8').split('\n').slice(-10).join('\n')}`, { cause: error });
    }
  }

  stop(mode: 'fast' | 'immediate' = 'fast'): Promise<string> {
    return this.run('pg_ctl', ['-D', this.data, '-m', mode, '-w', '-t', '60', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}
