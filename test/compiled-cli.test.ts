import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The production build (bin/build.js: tsc, then esbuild into dist/bundle/) and the rule by which
 * bin/hague.js picks the build or the sources, on a small package of their own: the repository's
 * bin/ scripts and tsconfig.build.json, a two-file cli/ that says whether it runs compiled, and
 * node_modules linking the real typescript and tsx. Nothing here touches the repository's dist/.
 */

const folder = mkdtempSync(join(tmpdir(), 'hague-compiled-'));
const hague = join(folder, 'bin', 'hague.js');

function run(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const { HAGUE_DEV: _dev, ...inherited } = process.env;
    execFile(process.execPath, [script, ...args], { cwd: folder, env: { ...inherited, ...env }, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: typeof error?.code === 'number' ? error.code : error ? -1 : 0, stdout, stderr }),
    );
  });
}

/** Marks a file changed now: after the last build started. */
const touch = (file: string) => {
  const now = new Date();
  utimesSync(file, now, now);
};

beforeAll(() => {
  mkdirSync(join(folder, 'bin'));
  mkdirSync(join(folder, 'cli'));
  mkdirSync(join(folder, 'node_modules'));
  for (const file of ['bin/hague.js', 'bin/runtime-flags.js', 'bin/build.js']) copyFileSync(resolve(file), join(folder, file));
  for (const name of ['typescript', 'tsx']) symlinkSync(resolve('node_modules', name), join(folder, 'node_modules', name));
  writeFileSync(join(folder, 'node_modules', '.package-lock.json'), '{}\n');
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'compiled-cli-test', private: true, type: 'module' }));
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        types: [],
      },
    }),
  );
  // The repository's build settings, over this package's one folder.
  const build = JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { include: string[] };
  writeFileSync(join(folder, 'tsconfig.build.json'), JSON.stringify({ ...build, include: ['cli'] }));
  writeFileSync(join(folder, 'cli', 'message.ts'), "export const greeting: string = 'hello';\n");
  // A relative .ts import: the build must rewrite it (rewriteRelativeImportExtensions) for Node to run the output.
  writeFileSync(
    join(folder, 'cli', 'hague.ts'),
    "import { greeting } from './message.ts';\nconsole.log(`${greeting} from ${import.meta.url.includes('/dist/') ? 'the build' : 'the sources'} ${process.argv[2] ?? ''}`.trim());\n",
  );
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('npm run build and the hague command', () => {
  it('runs the sources while there is no build', async () => {
    expect(await run(hague, ['gateway'])).toMatchObject({ code: 0, stdout: 'hello from the sources gateway\n' });
  });

  it('builds dist/ with tsc and dist/bundle/ with esbuild, dated to the start of the build, and then runs the bundle', async () => {
    const before = Date.now();
    const built = await run(join(folder, 'bin', 'build.js'));
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/^hague build: dist\/ in \d+\.\d s \(tsc \d+\.\d s, then esbuild: the CLI's bundle and the explorer's workspace\)$/m);
    expect(statSync(join(folder, 'dist', 'cli', 'hague.js')).isFile()).toBe(true);
    expect(statSync(join(folder, 'dist', 'bundle', 'hague.js')).isFile()).toBe(true);
    const stamp = statSync(join(folder, 'dist', 'BUILT')).mtimeMs;
    expect(stamp).toBeGreaterThanOrEqual(before - 1000);
    expect(stamp).toBeLessThan(statSync(join(folder, 'dist', 'bundle', 'hague.js')).mtimeMs);

    expect(await run(hague, ['gateway'])).toMatchObject({ code: 0, stdout: 'hello from the build gateway\n' });
    expect(await run(hague, ['gateway'], { HAGUE_DEV: '0' })).toMatchObject({ code: 0, stdout: 'hello from the build gateway\n' });
    // The benchmark and HAGUE_DEV=1 run the sources whatever the build.
    expect(await run(hague, ['bench'])).toMatchObject({ code: 0, stdout: 'hello from the sources bench\n' });
    expect(await run(hague, ['gateway'], { HAGUE_DEV: '1' })).toMatchObject({ code: 0, stdout: 'hello from the sources gateway\n' });
  });

  it('runs the sources, never the stale build, once a source is newer; HAGUE_DEV=0 then refuses to start', async () => {
    touch(join(folder, 'cli', 'message.ts'));
    expect(await run(hague, ['gateway'])).toMatchObject({ code: 0, stdout: 'hello from the sources gateway\n' });
    expect(await run(hague, ['gateway'], { HAGUE_DEV: '0' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'hague: HAGUE_DEV=0 asks for the compiled build, but dist/ is missing or older than the sources; run npm run build\n',
    });
    expect((await run(join(folder, 'bin', 'build.js'))).code).toBe(0);
    expect(await run(hague, ['gateway'])).toMatchObject({ code: 0, stdout: 'hello from the build gateway\n' });
  });

  it('runs the sources once npm changed node_modules after the build (the bundle holds packages too)', async () => {
    touch(join(folder, 'node_modules', '.package-lock.json'));
    expect(await run(hague, ['gateway'])).toMatchObject({ code: 0, stdout: 'hello from the sources gateway\n' });
  });
});
