/**
 * A separate process appending to an audit log, for the cross-process test in
 * test/audit-log.test.ts: `node --import tsx test/support/audit-appender.ts <location> <key file> <name> <count> <start at (ms since epoch)>`:
 * both processes open the log, then wait for the same moment to start, so their appends interleave.
 * Prints `done <count>` once every append resolved.
 */
import { readFileSync } from 'node:fs';
import type { JWK } from 'jose';
import { openAuditLog } from '../../common/audit-log.ts';

const [location, keyFile, name, count, startAt] = process.argv.slice(2);
const log = await openAuditLog(location, { owner: 'NL', signingKey: JSON.parse(readFileSync(keyFile, 'utf8')) as JWK, checkpointEvery: 50 });
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
for (let i = 0; i < Number(count); i++) await log.append('answer', { requestId: `${name}-${i}` });
await log.close();
console.log(`done ${count}`);
