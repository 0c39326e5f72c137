/**
 * vitest globalSetup: one throwaway PostgreSQL server for the whole run.
 * Tests read its URL with `postgresUrl()` / `createTestDatabase()` from
 * ./postgres.ts (vitest provide/inject key `postgresUrl`).
 *
 * - HAGUE_TEST_POSTGRES_URL set: use that server instead of starting one.
 * - PostgreSQL cannot be started: under CI=true the run fails (CI never
 *   skips); elsewhere `postgresUrl` is null, PostgreSQL tests are skipped and
 *   one line says why.
 */
import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresServer } from './postgres.ts';

let server: PostgresServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.HAGUE_TEST_POSTGRES_URL;
  if (external) {
    project.provide('postgresUrl', external);
    return async () => {};
  }
  try {
    server = await startPostgres();
    if (process.env.HAGUE_TEST_VERBOSE || process.env.CI === 'true') {
      console.log(`PostgreSQL ${server.version} for tests at ${server.url} (started in ${server.startupMs} ms)`);
    }
    project.provide('postgresUrl', server.url);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (process.env.CI === 'true') {
      throw new Error(`PostgreSQL could not be started, and CI must not skip its tests: ${reason}`, { cause: err });
    }
    console.warn(`\x1b[33mPostgreSQL tests skipped: ${reason.split('\n')[0]}\x1b[0m`);
    project.provide('postgresUrl', null);
  }
  return async () => {
    await server?.stop();
    server = undefined;
  };
}
