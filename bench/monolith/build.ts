/**
 * The monolith's database: every state's rows in ONE SQLite file, each person, organisation and
 * name key tagged with its member_state. Built by copying the rows of the bench's per-state files
 * (the same seeded data the member states serve), so the monolith answers from exactly the same
 * records. Written to `<file>.partial` and renamed when complete; rebuilt when the states, the data
 * or the name-key rules change.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { NAME_KEYS_VERSION } from '../../subgraphs/member/name-match.ts';
import type { MemberState } from '../../common/member-states.ts';

/** Tables copied from each state, with the columns tagged by member_state. */
const TABLES: Array<{ name: string; tagged: boolean; indexes: string[] }> = [
  { name: 'persons', tagged: true, indexes: ['UNIQUE (id)', '(member_state, id)', '(date_of_birth)', '(status)'] },
  { name: 'person_aliases', tagged: false, indexes: ['(person_id, position)'] },
  { name: 'person_nationalities', tagged: false, indexes: ['(person_id, country)', '(country)'] },
  { name: 'person_name_keys', tagged: true, indexes: ['(member_state, name_key, person_id)', '(member_state, skeleton, person_id)', '(person_id)'] },
  { name: 'identity_documents', tagged: false, indexes: ['UNIQUE (id)', '(person_id)', '(number_key)'] },
  { name: 'travel_movements', tagged: false, indexes: ['UNIQUE (id)', '(person_id, at)'] },
  { name: 'financial_measures', tagged: false, indexes: ['UNIQUE (id)', '(person_id)'] },
  { name: 'watchlist_listings', tagged: false, indexes: ['UNIQUE (id)', '(person_id)'] },
  { name: 'organisations', tagged: true, indexes: ['UNIQUE (id)', '(kind)'] },
  { name: 'organisation_aliases', tagged: false, indexes: ['(organisation_id, position)'] },
  {
    name: 'organisation_name_keys',
    tagged: true,
    indexes: ['(member_state, name_key, organisation_id)', '(member_state, skeleton, organisation_id)', '(organisation_id)'],
  },
  { name: 'affiliations', tagged: false, indexes: ['UNIQUE (id)', '(person_id)', '(organisation_id)'] },
];

interface Source {
  state: MemberState;
  file: string;
}

/** What the monolith file was built from (each state's seed, person count and name-key rules): rebuilt when this changes. */
function fingerprint(sources: Source[]): string {
  return JSON.stringify({
    nameKeys: NAME_KEYS_VERSION,
    layout: 2,
    sources: sources.map((s) => {
      const db = new SQLite(s.file, { readonly: true });
      try {
        const meta = db.prepare("SELECT key, value FROM hague_meta WHERE key IN ('seed', 'name_keys_version') ORDER BY key").all();
        const persons = (db.prepare('SELECT count(*) AS n FROM persons').get() as { n: number }).n;
        return [s.state, persons, meta];
      } finally {
        db.close();
      }
    }),
  });
}

export function monolithIsCurrent(file: string, sources: Source[]): boolean {
  if (!existsSync(file)) return false;
  const db = new SQLite(file, { readonly: true });
  try {
    const row = db.prepare("SELECT value FROM bench_meta WHERE key = 'fingerprint'").get() as { value: string } | undefined;
    return row?.value === fingerprint(sources);
  } catch {
    return false;
  } finally {
    db.close();
  }
}

/** Builds the monolith file from the states' files (in network order). `onState` reports progress. */
export function buildMonolith(file: string, sources: Source[], onState: (state: MemberState, done: number) => void): void {
  const partial = `${file}.partial`;
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
  const db = new SQLite(partial);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  try {
    db.exec('CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const first = new SQLite(sources[0].file, { readonly: true });
    for (const table of TABLES) {
      const columns = (first.prepare(`PRAGMA table_info(${table.name})`).all() as Array<{ name: string; type: string }>).map((c) => `"${c.name}" ${c.type}`);
      db.exec(`CREATE TABLE ${table.name} (${table.tagged ? 'member_state TEXT NOT NULL, ' : ''}${columns.join(', ')})`);
    }
    first.close();
    sources.forEach((source, i) => {
      db.exec(`ATTACH DATABASE '${source.file.replace(/'/g, "''")}' AS s`);
      db.exec('BEGIN');
      for (const table of TABLES) {
        db.exec(`INSERT INTO main.${table.name} SELECT ${table.tagged ? `'${source.state}', ` : ''}* FROM s.${table.name}`);
      }
      db.exec('COMMIT');
      db.exec('DETACH DATABASE s');
      onState(source.state, i + 1);
    });
    for (const table of TABLES) {
      table.indexes.forEach((columns, i) => {
        const unique = columns.startsWith('UNIQUE ');
        db.exec(`CREATE ${unique ? 'UNIQUE ' : ''}INDEX ${table.name}_${i} ON ${table.name} ${columns.replace('UNIQUE ', '')}`);
      });
    }
    db.exec('ANALYZE');
    db.prepare('INSERT INTO bench_meta (key, value) VALUES (?, ?)').run('fingerprint', fingerprint(sources));
    db.prepare('INSERT INTO bench_meta (key, value) VALUES (?, ?)').run('states', sources.map((s) => s.state).join(' '));
  } finally {
    db.close();
  }
  rmSync(file, { force: true });
  renameSync(partial, file);
}
