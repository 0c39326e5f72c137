import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDatabase, createTestDatabase, describePostgres, findPostgresBinDir, postgresUrl } from './support/postgres.ts';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL harness', () => {
  it('provides a URL whenever this machine has PostgreSQL server binaries (or one is given); null only without them, outside CI', () => {
    const url = postgresUrl();
    const available = process.env.CI === 'true' || Boolean(process.env.HAGUE_TEST_POSTGRES_URL) || 'dir' in findPostgresBinDir();
    if (available) expect(url).toMatch(/^postgres:\/\/[^/]+\/postgres$/);
    else expect(url).toBeNull();
  });
});

describePostgres('PostgreSQL harness (server)', () => {
  it('answers select 1 on the provided server', async () => {
    const rows = await query<{ one: number }>(postgresUrl()!, 'select 1 as one');
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('creates an isolated database and connects to it', async () => {
    const url = await createTestDatabase();
    const [row] = await query<{ db: string; one: number }>(url, 'select current_database() as db, 1 as one');
    expect(row.one).toBe(1);
    expect(new URL(url).pathname).toBe(`/${row.db}`);
    expect(row.db).toMatch(/^hague_test_/);
  });

  it('creates several databases in parallel, each isolated', async () => {
    const urls = await Promise.all(Array.from({ length: 4 }, () => createTestDatabase()));
    expect(new Set(urls).size).toBe(4);
    await query(urls[0], 'create table t (x int); insert into t values (42)');
    expect(await query(urls[0], 'select x from t')).toEqual([{ x: 42 }]);
    const [other] = await query<{ n: string }>(urls[1], `select count(*) as n from pg_tables where tablename = 't'`);
    expect(other.n).toBe('0');
  });

  it('accepts an explicit database name', async () => {
    const name = `harness_named_${process.pid}`;
    const url = await createDatabase(postgresUrl()!, name);
    const [row] = await query<{ db: string }>(url, 'select current_database() as db');
    expect(row.db).toBe(name);
    await expect(createDatabase(postgresUrl()!, 'Bad-Name')).rejects.toThrow(/invalid database name/);
  });
});
