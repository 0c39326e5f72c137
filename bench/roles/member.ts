/**
 * Bench role: one member state in its own process, as in a real network. It serves the same
 * database twice: with its release rules enforced (graphql-shield, permissions on) and without
 * (enforceRelease: false, permissions off); the context token is verified by both. Counts the
 * GraphQL requests and SQL statements each served, for "member requests per query". `--hostile`
 * (bench/hostile.ts) runs the permissions-on server only, with the policy the bench sends.
 */
import type { IncomingMessage } from 'node:http';
import type { JWK } from 'jose';
import { startMember, type MemberSafeguards, type RunningMember } from '../../subgraphs/member/server.ts';
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
  /**
   * Instead of `sides`: named servers over the same database, each with its own release rules,
   * safeguards and audit log (bench/safeguards.ts). `auditFile`: the state's own hash-chained audit
   * log (a fresh SQLite file, synced like production's), signed with `auditKey`.
   */
  servers?: Array<{ name: string; enforceRelease: boolean; safeguards?: MemberSafeguards; auditFile?: string }>;
  auditKey?: JWK;
  /** The network key file: match keys computed at start (the subjects query links by them). */
  networkKeyFile?: string;
}

const running: Array<{ name: string; member: RunningMember; requests: number }> = [];

async function start(message: Start) {
  const urls: Record<string, string> = {};
  const sides = message.sides ?? ['on', 'off'];
  const servers: NonNullable<Start['servers']> =
    message.servers ??
    [true, false].filter((e) => sides.includes(e ? 'on' : 'off')).map((enforce) => ({ name: enforce ? 'on' : 'off', enforceRelease: enforce }));
  for (const server of servers) {
    const { auditFile } = server;
    if (auditFile && !message.auditKey) throw new Error(`member ${message.state}: server ${server.name} has an audit file but no auditKey was sent`);
    const member = await startMember({
      state: message.state,
      database: message.database,
      gatewayPublicKey: message.gatewayPublicKey,
      policy: message.policy ?? benchPolicy(message.state),
      enforceRelease: server.enforceRelease,
      ...(server.safeguards ? { safeguards: server.safeguards } : {}),
      ...(auditFile && message.auditKey ? { audit: { location: auditFile, signingKey: message.auditKey } } : {}),
      ...(message.networkKeyFile ? { networkKeyFile: message.networkKeyFile } : {}),
    });
    const entry = { name: server.name, member, requests: 0 };
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
