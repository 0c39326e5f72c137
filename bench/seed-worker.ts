/**
 * Child process of the bench's data cache (bench/data.ts): seeds one member state's SQLite file
 * with the deterministic demo data (subgraphs/member/seed.ts), reporting progress over IPC.
 * Writes `<file>.partial` and renames it when the seed is complete, so an interrupted run never
 * leaves a half-seeded file in the cache.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { sql } from 'kysely';
import { openStore } from '../subgraphs/member/store.ts';
import { seedMember } from '../subgraphs/member/seed.ts';
import { parseMemberState } from '../common/member-states.ts';

const [stateArg, personsArg, file] = process.argv.slice(2);
const state = parseMemberState(stateArg, 'state');
const persons = Number(personsArg);
const partial = `${file}.partial`;
for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });

const store = await openStore(partial, state);
let last = 0;
await seedMember(store, {
  persons,
  onProgress: (done) => {
    if (done - last >= 2000 || done === persons) {
      last = done;
      process.send?.({ type: 'progress', state, done, total: persons });
    }
  },
});
// Fold the WAL into the file before renaming it: the file alone is the whole database.
await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
await sql`PRAGMA journal_mode = DELETE`.execute(store.db);
await store.close();
if (existsSync(`${partial}-wal`)) throw new Error(`${partial}-wal still exists after the checkpoint`);
renameSync(partial, file);
process.send?.({ type: 'done', state });
