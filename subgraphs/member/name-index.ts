import type { Kysely } from 'kysely';
import type { Database } from './store-schema.ts';
import { NAME_KEYS_VERSION, nameKeys } from './name-match.ts';

const META_KEY = 'name_keys_version';
/** Rows per insert statement: far below SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 2000;

async function insertChunks<T extends 'person_name_keys' | 'organisation_name_keys'>(db: Kysely<Database>, table: T, rows: Database[T][]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK)
    await db
      .insertInto(table)
      .values(rows.slice(i, i + CHUNK) as never)
      .execute();
}

/**
 * Makes the stored name keys match this version of the matching rules (name-match.ts): a database
 * seeded under older rules has its person and organisation keys recomputed, in one transaction.
 * Returns whether it rebuilt anything.
 */
export async function ensureNameKeys(db: Kysely<Database>): Promise<boolean> {
  const stored = await db.selectFrom('hague_meta').select('value').where('key', '=', META_KEY).executeTakeFirst();
  if (stored?.value === String(NAME_KEYS_VERSION)) return false;
  await db.transaction().execute(async (trx) => {
    const persons = await trx.selectFrom('persons').select(['id', 'given_name', 'family_name']).execute();
    const aliases = await trx.selectFrom('person_aliases').select(['person_id', 'alias']).execute();
    const aliasesOf = new Map<string, string[]>();
    for (const a of aliases) aliasesOf.set(a.person_id, [...(aliasesOf.get(a.person_id) ?? []), a.alias]);
    await trx.deleteFrom('person_name_keys').execute();
    await insertChunks(
      trx,
      'person_name_keys',
      persons.flatMap((p) =>
        nameKeys([p.given_name, p.family_name, ...(aliasesOf.get(p.id) ?? [])]).map((k) => ({ person_id: p.id, name_key: k.key, skeleton: k.skeleton })),
      ),
    );

    const organisations = await trx.selectFrom('organisations').select(['id', 'name']).execute();
    const orgAliases = await trx.selectFrom('organisation_aliases').select(['organisation_id', 'alias']).execute();
    const orgAliasesOf = new Map<string, string[]>();
    for (const a of orgAliases) orgAliasesOf.set(a.organisation_id, [...(orgAliasesOf.get(a.organisation_id) ?? []), a.alias]);
    await trx.deleteFrom('organisation_name_keys').execute();
    await insertChunks(
      trx,
      'organisation_name_keys',
      organisations.flatMap((o) =>
        nameKeys([o.name, ...(orgAliasesOf.get(o.id) ?? [])]).map((k) => ({ organisation_id: o.id, name_key: k.key, skeleton: k.skeleton })),
      ),
    );

    await trx
      .insertInto('hague_meta')
      .values({ key: META_KEY, value: String(NAME_KEYS_VERSION) })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(NAME_KEYS_VERSION) }))
      .execute();
  });
  return true;
}
