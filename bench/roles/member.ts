/**
 * Bench role: one member state in its own process, as in a real network. It serves the same
 * database twice: with its release rules enforced (graphql-shield, permissions on) and without
 * (enforceRelease: false, permissions off); the context token is verified by both. Counts the
 * GraphQL requests and SQL statements each served, for "member requests per query". `--hostile`
 * (bench/hostile.ts) runs the permissions-on server only, with the policy the bench sends.
 */
import type { IncomingMessage } from 'node:http';
import type { JWK } from 'jose';
import { startMember, type RunningMember } from '../../subgraphs/member/server.ts';
import type { ReleasePolicy } from '../../subgraphs/member/release-policy.ts';
import type { MemberState } from '../../common/member-states.ts';
import { benchPolicy } from '../policy.ts';
import { serveParent } from '../child.ts';

interface Start {
  state: MemberState;
  database: string;
  gatewayPublicKey: JWK;
  /** The release policy to enforce; default the bench policy (bench/policy.ts). `--hostile` sends the demo policy it built. */
  policy?: ReleasePolicy;
  /** Which servers to run: 'on' (release rules enforced) and/or 'off'; default both. */
  sides?: Array<'on' | 'off'>;
}

const running: Array<{ name: string; member: RunningMember; requests: number }> = [];

async function start(message: Start) {
  const urls: Record<string, string> = {};
  const sides = message.sides ?? ['on', 'off'];
  for (const enforce of [true, false].filter((e) => sides.includes(e ? 'on' : 'off'))) {
    const member = await startMember({
      state: message.state,
      database: message.database,
      gatewayPublicKey: message.gatewayPublicKey,
      policy: message.policy ?? benchPolicy(message.state),
      enforceRelease: enforce,
    });
    const entry = { name: enforce ? 'on' : 'off', member, requests: 0 };
    member.app.server.prependListener('request', (req: IncomingMessage) => {
      if (req.method === 'POST' && req.url?.startsWith('/graphql')) entry.requests++;
    });
    running.push(entry);
    urls[entry.name] = member.url;
  }
  // The bench cache is reused run after run: its audit log would grow by a row per request, and
  // search budgets counted by an earlier run within the hour would still be spent.
  await running[0].member.store.db.deleteFrom('audit_log').execute();
  await running[0].member.store.db.deleteFrom('search_budget').execute();
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
