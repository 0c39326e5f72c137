/**
 * Does every answered request survive a crash in the audit logs? (issue 12)
 *
 *   npx tsx bench/audit-kill.ts [--seconds 20] [--kill-after 10] [--connections 4] [--max-requests 20000]
 *
 * Starts `hague dev` (3 states: NL BE FR, 200 persons each, any free ports on 127.0.0.1) in a
 * temporary folder, sends joint searches through the gateway from a few connections, kill -9's the
 * whole dev process group mid-load, then reads every audit log (gateway, NL, BE, FR) with the
 * owners' public keys: each log must verify (entries after the last signed checkpoint are allowed:
 * they are reported as unsignedTail), and every request that got a 200 answer (its x-request-id)
 * must have an entry in the gateway's log and in each state's log. Prints
 * "answered N, audited N, missing 0" and exits 1 otherwise. Not part of `npm test`.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import SQLite from 'better-sqlite3';
import { auditKeyName, devAuditLocation, verifyAuditLog } from '../common/audit-log.ts';
import { readPublicJwk } from '../common/dev-keys.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    'kill-after': { type: 'string', default: '10' },
    connections: { type: 'string', default: '4' },
    'max-requests': { type: 'string', default: '20000' },
    keep: { type: 'boolean', default: false },
  },
});
const SECONDS = Math.min(Number(values.seconds), 120);
const KILL_AFTER = Math.min(Number(values['kill-after']), SECONDS);
const CONNECTIONS = Math.min(Number(values.connections), 32);
const MAX_REQUESTS = Math.min(Number(values['max-requests']), 200_000);
const STATES = ['NL', 'BE', 'FR'];
const NAMES = ['Belhaouari', 'de Vries', 'Janssens', 'Dubois', 'Martin', 'Peeters', 'Bakker', 'Lefebvre', 'Maes', 'Visser'];

const HAGUE = join(import.meta.dirname, '..', 'bin', 'hague.js');
const folder = mkdtempSync(join(tmpdir(), 'hague-audit-kill-'));
const dataDir = join(folder, 'data');
const keysDir = join(folder, 'keys');

async function main(): Promise<number> {
  // 1. the dev network, in its own process group so that kill -9 takes all of it
  const dev = spawn(
    process.execPath,
    [
      HAGUE,
      'dev',
      '--data-dir',
      dataDir,
      '--keys-dir',
      keysDir,
      '--port',
      '0',
      '--member-port',
      '0',
      '--persons',
      '200',
      '--members',
      '3',
      '--host',
      '127.0.0.1',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  dev.stdout.on('data', (d) => (output += String(d)));
  dev.stderr.on('data', (d) => (output += String(d)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => dev.once('exit', (code, signal) => resolve(signal ?? code)));
  const started = Date.now();
  let url: string | undefined;
  while (!url) {
    if (Date.now() - started > 120_000) throw new Error(`hague dev did not print its gateway URL within 120 s:\n${output}`);
    if (dev.exitCode !== null) throw new Error(`hague dev exited (${dev.exitCode}):\n${output}`);
    url = /^Gateway\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)/m.exec(output)?.[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`hague dev up in ${((Date.now() - started) / 1000).toFixed(1)} s, gateway ${url}`);

  const token = (
    await promisify(execFile)(process.execPath, [HAGUE, 'token', '--state', 'BE', '--roles', 'analyst', '--clearance', 'SECRET', '--keys-dir', keysDir])
  ).stdout.trim();

  // 2. bounded load; kill -9 the whole group mid-load
  const answered = new Set<string>();
  const statuses = new Map<string, number>();
  let sent = 0;
  const loadStart = Date.now();
  let killedAt = 0;
  const killer = setTimeout(() => {
    killedAt = Date.now();
    process.kill(-dev.pid!, 'SIGKILL');
  }, KILL_AFTER * 1000);
  const worker = async (n: number) => {
    while (Date.now() - loadStart < SECONDS * 1000 && sent < MAX_REQUESTS) {
      const name = NAMES[(sent + n) % NAMES.length];
      sent++;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'x-hague-purpose': 'counter-terrorism',
            'x-hague-case': `BE-CT-${n}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ query: `{ persons(filter: { name: ${JSON.stringify(name)} }) { memberState id givenName familyName } }` }),
          signal: AbortSignal.timeout(5000),
        });
        await response.arrayBuffer();
        const key = String(response.status);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        const id = response.headers.get('x-request-id');
        if (response.status === 200 && id) answered.add(id);
      } catch (error) {
        const key = `error ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (killedAt > 0) return; // the network is gone
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, (_, n) => worker(n)));
  clearTimeout(killer);
  if (killedAt === 0) {
    killedAt = Date.now();
    process.kill(-dev.pid!, 'SIGKILL');
  }
  const how = await exited;
  console.log(
    `load: ${CONNECTIONS} connections, ${sent} requests sent, killed (${String(how)}) after ${((killedAt - loadStart) / 1000).toFixed(1)} s; ` +
      `answers: ${[...statuses].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
  );

  // 3. the logs after the crash
  let ok = true;
  const missingAnywhere = new Set<string>();
  for (const owner of ['gateway', ...STATES]) {
    const location = devAuditLocation(dataDir, owner);
    const verification = await verifyAuditLog(location, readPublicJwk(join(keysDir, `${auditKeyName(owner)}.jwk`)));
    if (!verification.ok) {
      ok = false;
      console.log(`${owner}: DOES NOT VERIFY: entry ${verification.firstBad.seq}: ${verification.firstBad.reason}`);
      continue;
    }
    const db = new SQLite(location, { readonly: true });
    const ids = new Set((db.prepare('SELECT entry FROM entries').pluck().all() as string[]).map((e) => (JSON.parse(e) as { requestId?: string }).requestId));
    db.close();
    const missing = [...answered].filter((id) => !ids.has(id));
    missing.forEach((id) => missingAnywhere.add(id));
    console.log(
      `${owner.padEnd(7)} verifies: ${verification.entries} entries, last checkpoint ${verification.lastCheckpoint ? `entry ${verification.lastCheckpoint.seq}` : 'none'}, ` +
        `unsignedTail ${verification.unsignedTail}; answered requests missing here: ${missing.length}${missing.length ? ` (${missing.slice(0, 5).join(', ')})` : ''}`,
    );
  }
  const audited = answered.size - missingAnywhere.size;
  console.log(`answered ${answered.size}, audited ${audited}, missing ${missingAnywhere.size}`);
  return ok && missingAnywhere.size === 0 && answered.size > 0 ? 0 : 1;
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    if (!values.keep) rmSync(folder, { recursive: true, force: true });
    else console.log(`kept ${folder}`);
  });
