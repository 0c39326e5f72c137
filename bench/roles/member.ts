/**
 * Bench role: one member state in its own process, as in a real network. It serves the same
 * database twice: with its release rules enforced (graphql-shield, permissions on) and without
 * (enforceRelease: false, permissions off); the context token is verified by both. Counts the
 * GraphQL requests and SQL statements each served, for "member requests per query".
 */
import type { IncomingMessage } from 'node:http';
import type { JWK } from 'jose';
import { startMember, type RunningMember } from '../../subgraphs/member/server.ts';
import type { MemberState } from '../../common/member-states.ts';
import { benchPolicy } from '../policy.ts';
import { serveParent } from '../child.ts';

interface Start {
  state: MemberState;
  database: string;
  gatewayPublicKey: JWK;
}

const running: Array<{ name: string; member: RunningMember; requests: number }> = [];

async function start(message: Start) {
  const urls: Record<string, string> = {};
  for (const enforce of [true, false]) {
    const member = await startMember({
      state: message.state,
      database: message.database,
      gatewayPublicKey: message.gatewayPublicKey,
      policy: benchPolicy(message.state),
      enforceRelease: enforce,
    });
    const entry = { name: enforce ? 'on' : 'off', member, requests: 0 };
    member.app.server.prependListener('request', (req: IncomingMessage) => {
      if (req.method === 'POST' && req.url?.startsWith('/graphql')) entry.requests++;
    });
    running.push(entry);
    urls[entry.name] = member.url;
  }
  // The bench cache is reused run after run: its audit log would grow by a row per request.
  await running[0].member.store.db.deleteFrom('audit_log').execute();
  return { urls };
}

serveParent({
  start: (m) => start(m as unknown as Start),
  counters: () =>
    Object.fromEntries(
      running.flatMap((r) => [
        [`requests.${r.name}`, r.requests],
        [`statements.${r.name}`, r.member.store.statementCount()],
      ]),
    ),
  stop: async () => {
    await Promise.all(running.map((r) => r.member.close()));
  },
});
process.send?.({ type: 'ready' });
