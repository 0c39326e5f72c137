import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { DatabaseHealth, isDatabaseUnavailable } from '../../subgraphs/member/database-health.ts';

/** Which failures are an unreachable database (answered 503 DATABASE_UNAVAILABLE) and which are real failures (masked as before). */

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['PostgreSQL shutting down (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['PostgreSQL crash shutdown (57P02)', withCode('57P02')],
    ['PostgreSQL starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection exception (08006)', withCode('08006')],
    ['too many connections (53300)', withCode('53300')],
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', withCode('ECONNRESET')],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    ['the pool timing out on connect', new Error('timeout exceeded when trying to connect')],
    ['a refusal on every address of the host', new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed')],
    ['inside a GraphQL error', new GraphQLError('x', { originalError: withCode('ECONNREFUSED') })],
    ['as a cause', new Error('query failed', { cause: new Error('Connection terminated unexpectedly') })],
    ['a SQLite file locked by another process', withCode('SQLITE_BUSY', 'database is locked')],
    ['a SQLite file that cannot be opened', withCode('SQLITE_CANTOPEN')],
    ['a SQLite read error', withCode('SQLITE_IOERR_READ')],
  ])('%s: unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['an undefined table (42P01)', withCode('42P01', 'relation "persons" does not exist')],
    ['a syntax error (42601)', withCode('42601')],
    ['a unique violation (23505)', withCode('23505')],
    ['a SQLite constraint', withCode('SQLITE_CONSTRAINT_UNIQUE')],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a deliberate GraphQL error', new GraphQLError('filter needs at least one criterion', { extensions: { code: 'BAD_USER_INPUT' } })],
    ['nothing', undefined],
    ['a string', 'Connection terminated'],
  ])('%s: a real failure', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('DatabaseHealth', () => {
  it('probes at most once per cache period, however many ask at once', async () => {
    let pings = 0;
    const health = new DatabaseHealth(
      async () => {
        pings++;
      },
      { cacheMs: 60_000 },
    );
    expect(await Promise.all(Array.from({ length: 20 }, () => health.check()))).toEqual(Array(20).fill(true));
    expect(await health.check()).toBe(true);
    expect(pings).toBe(1);
  });

  it('is down after a failure until a probe succeeds, and reports each change once', async () => {
    let up = false;
    const changes: boolean[] = [];
    const health = new DatabaseHealth(
      async () => {
        if (!up) throw withCode('ECONNREFUSED');
      },
      { cacheMs: 0, onChange: (ok) => changes.push(ok) },
    );
    health.markDown();
    expect(health.down).toBe(true);
    expect(await health.check()).toBe(false);
    expect(await health.check()).toBe(false);
    up = true;
    expect(await health.check()).toBe(true);
    expect(health.down).toBe(false);
    expect(changes).toEqual([false, true]);
  });

  it('after a failure, probes at once: a lost connection the pool replaces costs no refusal', async () => {
    let pings = 0;
    const changes: boolean[] = [];
    const health = new DatabaseHealth(
      async () => {
        pings++;
      },
      { cacheMs: 60_000, onChange: (ok) => changes.push(ok) },
    );
    expect(await health.check()).toBe(true);
    health.markDown();
    expect(health.down).toBe(true);
    expect(await health.check()).toBe(true);
    expect(health.down).toBe(false);
    expect(pings).toBe(2);
    expect(changes).toEqual([]); // no probe ever found it down
  });

  it('counts a probe that does not answer within its timeout as down, without starting a second one meanwhile', async () => {
    let pings = 0;
    let answer: () => void = () => {};
    const health = new DatabaseHealth(
      () => {
        pings++;
        return new Promise<void>((resolve) => (answer = resolve));
      },
      { cacheMs: 0, timeoutMs: 20 },
    );
    expect(await health.check()).toBe(false);
    expect(await health.check()).toBe(false); // the first ping still hangs: no second one
    expect(pings).toBe(1);
    answer();
    expect(await health.check()).toBe(true);
    expect(pings).toBe(1);
  });
});
