import { createHash } from 'node:crypto';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { FastifyInstance } from 'fastify';
import { formattedError } from '../../common/errors.ts';
import { MAX_QUERY_TOKENS } from '../../common/query-limits.ts';
import type { MemberState } from '../../common/member-states.ts';
import { recordEntry, type AuditTarget } from './audit.ts';
import { describeRefusal } from './audit-entry.ts';
import { CORRELATION_ID_HEADER, requestIdHeader } from '../../common/request-id.ts';
import type { ReleasePolicy } from './release-policy.ts';
import { releaseTier } from './release-rules.ts';
import type SQLite from 'better-sqlite3';
import type { Store } from './store.ts';
import type { Tier } from './tiers.ts';

/**
 * Search budgets, enforced by the owner: how many root fields (searches and lookups, every alias
 * counting) one caller (issuer + subject: the caller's state and subject) may ask of this state per
 * hour and per day, by the tier the owner releases to that caller. Counted in the state's own
 * database, so the budget survives restarts and is shared by the state's replicas; a request over
 * budget is refused whole with 429 and RATE_LIMITED (retryAfter: seconds until the window that ran
 * out ends), before any data is read, and the refusal goes into the audit log.
 */
export interface SearchBudget {
  perHour: number;
  perDay: number;
}

/**
 * Defaults for a policy that sets none. A HIT partner can confirm identities it holds, a few per
 * hour; guessing one withheld date of birth (a year has 365 days) would take weeks.
 */
export const DEFAULT_SEARCH_BUDGETS: Record<Tier, SearchBudget> = {
  HIT: { perHour: 10, perDay: 20 },
  SUMMARY: { perHour: 200, perDay: 1000 },
  FULL: { perHour: 2000, perDay: 20000 },
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Root fields that read nothing of the owner's records. */
const FREE_FIELDS = new Set(['__typename', '__schema', '__type', '_service']);

/** The root fields an operation asks (aliases counted apart, root fragments expanded). */
export function rootFieldCount(document: DocumentNode, operationName?: string | null): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return 0; // mercurius refuses it next, with the reason
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  let count = 0;
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!FREE_FIELDS.has(selection.name.value)) count++;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !seen.has(fragment.name.value)) {
          seen.add(fragment.name.value);
          walk(fragment.selectionSet);
          seen.delete(fragment.name.value);
        }
      }
    }
  };
  walk(operation.selectionSet);
  return count;
}

/** The hour and day windows `now` falls in, with the budget's limit of each. */
function windowsAt(budget: SearchBudget, now: number) {
  return [
    { window: 'hour' as const, start: Math.floor(now / HOUR) * HOUR, length: HOUR, limit: budget.perHour },
    { window: 'day' as const, start: Math.floor(now / DAY) * DAY, length: DAY, limit: budget.perDay },
  ];
}

/** Adds `count` to the caller's hour and day windows in one statement; refunds and says which ran out when one did. */
export async function chargeSearches(
  store: Store,
  callerKey: string,
  budget: SearchBudget,
  count: number,
  now = Date.now(),
): Promise<{ ok: true } | { ok: false; window: 'hour' | 'day'; limit: number; retryAfter: number }> {
  const windows = windowsAt(budget, now);
  const rows = await store.db
    .insertInto('search_budget')
    .values(windows.map((w) => ({ caller: callerKey, window: w.window, window_start: w.start, used: count })))
    .onConflict((oc) =>
      oc.columns(['caller', 'window', 'window_start']).doUpdateSet((eb) => ({ used: eb('search_budget.used', '+', eb.ref('excluded.used')) })),
    )
    .returning(['window', 'used'])
    .execute();
  const over = windows.find((w) => Number(rows.find((r) => r.window === w.window)?.used ?? 0) > w.limit);
  if (!over) return { ok: true };
  // A refused request costs nothing: the attempt is taken back (the refusal is audited instead).
  await store.db
    .updateTable('search_budget')
    .set((eb) => ({ used: eb('used', '-', count) }))
    .where('caller', '=', callerKey)
    .where((eb) => eb.or(windows.map((w) => eb.and([eb('window', '=', w.window), eb('window_start', '=', w.start)]))))
    .execute();
  return { ok: false, window: over.window, limit: over.limit, retryAfter: Math.max(1, Math.ceil((over.start + over.length - now) / 1000)) };
}

/** How long a charged request is remembered, so that its retried or hedged attempts are not charged again. */
const REMEMBER_MS = 5 * 60_000;
/** How long a repeated attempt waits for the first attempt's charge to settle before charging itself. */
const SETTLE_WAIT_MS = 2000;

/**
 * The key of one caller request at this state: the caller, the gateway's request id (signed in the
 * context token, claim rid) and the digest of the body (also signed, claim dig). The gateway sends a
 * request again only to another replica, when the connection failed before any answer or as a
 * hedge; both attempts carry the same request id and body, each with its own token.
 */
export function chargeKey(callerKey: string, requestId: string, bodyDigest: string): string {
  return createHash('sha256').update(`${callerKey}\u0000${requestId}\u0000${bodyDigest}`).digest('base64url');
}

/**
 * Charges a caller request once, however many attempts of it reach this state's replicas: the first
 * attempt records the request key (shared database) and charges; a repeated attempt waits for that
 * charge and is not charged again, or is charged like a new request when the first was refused.
 * Each attempt is still an audit entry of its own.
 */
export async function chargeOnce(
  store: Store,
  requestKey: string,
  callerKey: string,
  budget: SearchBudget,
  count: number,
  now = Date.now(),
): Promise<{ ok: true; repeated?: boolean } | { ok: false; window: 'hour' | 'day'; limit: number; retryAfter: number }> {
  if (store.transactNow) return store.transactNow((statement) => chargeOnceNow(statement, requestKey, callerKey, budget, count, now));
  const inserted = await store.db
    .insertInto('search_budget_requests')
    .values({ request_key: requestKey, outcome: 'pending', expires_at: now + REMEMBER_MS })
    .onConflict((oc) => oc.column('request_key').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
    const outcome = await settledOutcome(store, requestKey);
    if (outcome === 'charged') return { ok: true, repeated: true };
  }
  const charged = await chargeSearches(store, callerKey, budget, count, now);
  await store.db
    .updateTable('search_budget_requests')
    .set({ outcome: charged.ok ? 'charged' : 'refused' })
    .where('request_key', '=', requestKey)
    .execute();
  return charged;
}

/**
 * chargeOnce on SQLite, inside one synchronous IMMEDIATE transaction (Store.transactNow): the
 * request key is recorded with the outcome it gets, and the windows counted, in one commit. No
 * other attempt can see the charge half made (it waits on the write lock, here or in another
 * process), so nothing is ever pending. Two statements when the request is new and within budget.
 */
function chargeOnceNow(
  statement: (sql: string) => SQLite.Statement,
  requestKey: string,
  callerKey: string,
  budget: SearchBudget,
  count: number,
  now: number,
): { ok: true; repeated?: boolean } | { ok: false; window: 'hour' | 'day'; limit: number; retryAfter: number } {
  const inserted =
    statement('INSERT INTO search_budget_requests (request_key, outcome, expires_at) VALUES (?, ?, ?) ON CONFLICT (request_key) DO NOTHING').run(
      requestKey,
      'charged',
      now + REMEMBER_MS,
    ).changes > 0;
  if (!inserted) {
    const earlier = statement('SELECT outcome FROM search_budget_requests WHERE request_key = ?').get(requestKey) as { outcome: string } | undefined;
    if (earlier?.outcome !== 'refused') return { ok: true, repeated: true };
  }
  const windows = windowsAt(budget, now);
  const rows = statement(
    'INSERT INTO search_budget (caller, "window", window_start, used) VALUES (?, ?, ?, ?), (?, ?, ?, ?) ' +
      'ON CONFLICT (caller, "window", window_start) DO UPDATE SET used = search_budget.used + excluded.used RETURNING "window", used',
  ).all(...windows.flatMap((w) => [callerKey, w.window, w.start, count])) as Array<{ window: string; used: number }>;
  const over = windows.find((w) => Number(rows.find((r) => r.window === w.window)?.used ?? 0) > w.limit);
  if (over) {
    // A refused request costs nothing: the attempt is taken back (the refusal is audited instead).
    statement('UPDATE search_budget SET used = used - ? WHERE caller = ? AND (("window" = ? AND window_start = ?) OR ("window" = ? AND window_start = ?))').run(
      count,
      callerKey,
      ...windows.flatMap((w) => [w.window, w.start]),
    );
  }
  if (over || !inserted) statement('UPDATE search_budget_requests SET outcome = ? WHERE request_key = ?').run(over ? 'refused' : 'charged', requestKey);
  return over
    ? { ok: false, window: over.window, limit: over.limit, retryAfter: Math.max(1, Math.ceil((over.start + over.length - now) / 1000)) }
    : { ok: true };
}

/** The outcome of the first attempt's charge, waiting briefly while it is pending. */
async function settledOutcome(store: Store, requestKey: string): Promise<string | undefined> {
  const until = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    const row = await store.db.selectFrom('search_budget_requests').select('outcome').where('request_key', '=', requestKey).executeTakeFirst();
    if (row?.outcome !== 'pending' || Date.now() >= until) return row?.outcome;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Parsed queries and their root-field counts, by operation name and text: the gateway sends the same few queries again and again. */
const counted = new Map<string, { document: DocumentNode; count: number }>();
const COUNTED_QUERIES = 256;
/** Longer queries are parsed every time rather than kept. */
const COUNTED_QUERY_LENGTH = 16_384;

/** The query parsed and its root fields counted (rootFieldCount), remembered for short queries; undefined when it does not parse. */
function countedQuery(query: string, operationName: string | null): { document: DocumentNode; count: number } | undefined {
  const key = `${operationName ?? ''}\u0000${query}`;
  const known = counted.get(key);
  if (known) return known;
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: MAX_QUERY_TOKENS });
  } catch {
    return undefined;
  }
  const result = { document, count: rootFieldCount(document, operationName) };
  if (query.length <= COUNTED_QUERY_LENGTH) {
    if (counted.size >= COUNTED_QUERIES) counted.delete(counted.keys().next().value as string);
    counted.set(key, result);
  }
  return result;
}

/** The budget the owner grants this tier. */
export function budgetFor(policy: ReleasePolicy, tier: Tier): SearchBudget {
  return policy.searchBudgets?.[tier] ?? DEFAULT_SEARCH_BUDGETS[tier];
}

/** Charges every GraphQL request to its caller's budget, after the context token is verified and before execution. */
export function useSearchBudget(app: FastifyInstance, options: { state: MemberState; store: Store; policy: ReleasePolicy; audit?: AuditTarget }): void {
  const { state, store, policy } = options;
  const audit = options.audit ?? { store };
  const cleanup = setInterval(() => {
    store.db
      .deleteFrom('search_budget')
      .where('window_start', '<', Date.now() - 2 * DAY)
      .execute()
      .catch((error: unknown) => app.log.warn({ err: error }, 'could not delete old search budget windows'));
  }, HOUR);
  cleanup.unref();
  const forget = setInterval(() => {
    store.db
      .deleteFrom('search_budget_requests')
      .where('expires_at', '<', Date.now())
      .execute()
      .catch((error: unknown) => app.log.warn({ err: error }, 'could not delete old charged request keys'));
  }, 60_000);
  forget.unref();
  app.addHook('onClose', async () => {
    clearInterval(cleanup);
    clearInterval(forget);
  });

  app.addHook('preHandler', async (request, reply) => {
    const claims = request.contextClaims;
    if (request.routeOptions.url !== '/graphql' || !claims) return;
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return; // mercurius refuses it
    const { query, operationName, variables } = body as { query?: unknown; operationName?: unknown; variables?: unknown };
    if (typeof query !== 'string') return;
    const asked = countedQuery(query, typeof operationName === 'string' ? operationName : null);
    if (!asked) return; // mercurius answers the syntax error (or the token limit)
    const { document, count } = asked;
    if (count === 0) return;
    const { caller } = claims;
    const tier = releaseTier(policy, caller);
    const budget = budgetFor(policy, tier);
    const callerKey = `${caller.state}:${caller.subject}`;
    // Once per caller request: a retried or hedged attempt (same request id and body) is not charged again.
    const charged = await chargeOnce(store, chargeKey(callerKey, caller.requestId, request.bodyDigest ?? ''), callerKey, budget, count);
    if (charged.ok) return;
    const message =
      `${state} allows ${caller.state} callers (${tier} tier) ${charged.limit} searches per ${charged.window}; ` +
      `this request asks ${count} more than remain. Retry after ${charged.retryAfter} s, or ask ${state}'s contact point`;
    await recordEntry(
      audit,
      describeRefusal({
        caller,
        correlationId: requestIdHeader(request.headers[CORRELATION_ID_HEADER]),
        query,
        document,
        operationName: typeof operationName === 'string' && operationName !== '' ? operationName : null,
        variables: typeof variables === 'object' && variables !== null ? (variables as Record<string, unknown>) : {},
        code: 'RATE_LIMITED',
        reason: message,
      }),
      request,
    );
    request.log.warn({ caller: `${caller.state}:${caller.subject}`, tier, window: charged.window, searches: count }, 'search budget exhausted');
    await reply
      .code(429)
      .header('retry-after', String(charged.retryAfter))
      .header('content-type', 'application/json')
      .send({ data: null, errors: [formattedError('RATE_LIMITED', message, undefined, { retryAfter: charged.retryAfter, memberState: state })] });
    return reply;
  });
}
