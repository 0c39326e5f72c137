/**
 * A separate process appending to an audit log, for the cross-process test in
 * test/audit-log.test.ts: `node --import tsx test/support/audit-appender.ts <location> <key file> <name> <count> <go file>`:
 * each process opens the log, writes `<go file>.<name>.ready`, and waits until the test creates the
 * go file (once both are ready), so their appends start together and interleave however slowly the
 * processes started.
 * Prints `done <count>` once every append resolved.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { openAuditLog } from '../../common/audit-log.ts';

const [location, keyFile, name, count, goFile] = process.argv.slice(2);
const log = await openAuditLog(location, { owner: 'NL', signingKey: JSON.parse(readFileSync(keyFile, 'utf8')) as JWK, checkpointEvery: 50 });
writeFileSync(`${goFile}.${name}.ready`, '');
const deadline = Date.now() + 30_000;
while (!existsSync(goFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
// A gap after each append, as between a member's requests: a process appending back to back would
// hold SQLite's write lock while the other waits in its busy handler.
for (let i = 0; i < Number(count); i++) {
  await log.append('answer', { requestId: `${name}-${i}` });
  await new Promise((resolve) => setTimeout(resolve, 2));
}
await log.close();
console.log(`done ${count}`);
