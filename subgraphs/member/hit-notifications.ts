import { createHmac, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { request } from 'undici';
import type { Caller } from '../../common/caller.ts';
import type { Selectable } from 'kysely';
import type { Database } from './store-schema.ts';
import type { Store } from './store.ts';

/**
 * Owners told of hits, as Europol's information system tells them: when a partner's request
 * returns one of this state's records that its policy flags (every record, some statuses, or
 * persons on a watchlist), the owner stores a notification (who asked, for which purpose and
 * case, which record, when, what was released), readable by its own duty officers through the
 * network (`hitNotifications`), and pushes it to the webhook it configured: the body signed with
 * HMAC-SHA256 (`X-Hague-Signature: sha256=<hex>`), retried with back-off from the state's own
 * database, so nothing is lost across restarts.
 */

/** Which records notify their owner when a partner's request hits them (release policy `notifyOnHits`). */
export interface HitNotificationRule {
  /** Every record. */
  all: boolean;
  /** Persons with one of these statuses. */
  statuses: string[];
  /** Persons on any watchlist. */
  listed: boolean;
}

/** Where the owner wants its notifications pushed (release policy `notifyWebhook`). */
export interface NotificationWebhook {
  url: string;
  /** The shared secret of the HMAC signature (read from the policy's secretFile). */
  secret: string;
}

/** A record a partner's request returned. */
export interface Hit {
  type: 'Person' | 'Organisation';
  id: string;
  /** Schema coordinates released with it. */
  released: string[];
}

/** Stores a notification for each hit the rule flags; nothing for the owner's own callers. */
export async function recordHits(store: Store, rule: HitNotificationRule | undefined, caller: Caller, hits: Hit[], webhook: boolean): Promise<number> {
  if (!rule || caller.state === store.state || hits.length === 0) return 0;
  const persons = [...new Set(hits.filter((h) => h.type === 'Person').map((h) => h.id))];
  let flagged: Set<string>;
  if (rule.all) {
    flagged = new Set(hits.map((h) => `${h.type}:${h.id}`));
  } else {
    flagged = new Set<string>();
    if (persons.length && rule.statuses.length) {
      const rows = await store.db.selectFrom('persons').select('id').where('id', 'in', persons).where('status', 'in', rule.statuses).execute();
      for (const row of rows) flagged.add(`Person:${row.id}`);
    }
    if (persons.length && rule.listed) {
      const rows = await store.db.selectFrom('watchlist_listings').select('person_id').distinct().where('person_id', 'in', persons).execute();
      for (const row of rows) flagged.add(`Person:${row.person_id}`);
    }
  }
  const at = new Date().toISOString();
  const seen = new Set<string>();
  const rows = hits
    .filter((h) => flagged.has(`${h.type}:${h.id}`) && !seen.has(`${h.type}:${h.id}`) && seen.add(`${h.type}:${h.id}`))
    .map((h) => ({
      id: randomUUID(),
      at,
      record_type: h.type,
      record_id: h.id,
      caller_state: caller.state,
      caller_agency: caller.agency,
      caller_subject: caller.subject,
      purpose: caller.purpose,
      case_reference: caller.caseReference,
      request_id: caller.requestId,
      released: JSON.stringify(h.released),
      delivered_at: webhook ? null : 'no webhook',
      attempts: 0,
      next_attempt_at: Date.now(),
    }));
  if (rows.length) await store.db.insertInto('hit_notifications').values(rows).execute();
  return rows.length;
}

/** What a notification says, as the webhook body and the GraphQL field carry it. */
export function notificationView(row: Omit<Selectable<Database['hit_notifications']>, 'delivered_at' | 'attempts' | 'next_attempt_at'>, memberState: string) {
  return {
    id: row.id,
    at: row.at,
    memberState,
    recordType: row.record_type,
    record: row.record_id,
    callerState: row.caller_state,
    callerAgency: row.caller_agency,
    callerSubject: row.caller_subject,
    purpose: row.purpose,
    caseReference: row.case_reference,
    requestId: row.request_id,
    released: JSON.parse(row.released) as string[],
  };
}

/** The signature header of a webhook body. */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const BATCH = 20;
const MAX_BACKOFF_MS = 10 * 60_000;

/**
 * Delivers due notifications to the webhook, oldest first, every `everyMs`; a failed delivery is
 * retried after 1, 2, 4 … s (at most 10 min). Returns a stop function (awaits the round in flight).
 */
export function startWebhookDelivery(store: Store, webhook: NotificationWebhook, log: FastifyBaseLogger, everyMs = 1000): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const round = async () => {
    const due = await store.db
      .selectFrom('hit_notifications')
      .selectAll()
      .where('delivered_at', 'is', null)
      .where('next_attempt_at', '<=', Date.now())
      .orderBy('at')
      .limit(BATCH)
      .execute();
    for (const row of due) {
      if (stopped) return;
      const body = JSON.stringify(notificationView(row, store.state));
      let ok: boolean;
      try {
        const response = await request(webhook.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hague-signature': webhookSignature(webhook.secret, body), 'x-hague-notification': row.id },
          body,
          signal: AbortSignal.timeout(5000),
        });
        await response.body.dump();
        ok = response.statusCode >= 200 && response.statusCode < 300;
      } catch {
        ok = false; // unreachable, timed out: retried like a refusal
      }
      const attempts = Number(row.attempts) + 1;
      await store.db
        .updateTable('hit_notifications')
        .set(
          ok
            ? { delivered_at: new Date().toISOString(), attempts }
            : { attempts, next_attempt_at: Date.now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempts - 1)) },
        )
        .where('id', '=', row.id)
        .execute();
      if (!ok) log.warn({ notification: row.id, attempts }, 'hit notification not delivered; will retry');
    }
  };
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = round()
      .catch((error: unknown) => log.warn({ err: error }, 'hit notification delivery failed'))
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
