import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import Fastify from 'fastify';
import { parse } from 'graphql';
import mercurius from 'mercurius';
import { memberSchemaSdl } from '../../schema/contract.ts';
import { startMember, type RunningMember } from '../../subgraphs/member/server.ts';
import { nameKeys } from '../../subgraphs/member/name-match.ts';
import { documentNumberKey } from '../../subgraphs/member/search.ts';
import type { Store } from '../../subgraphs/member/store.ts';
import { MEMBER_STATES, MEMBER_STATE_NAMES, type MemberState } from '../../common/member-states.ts';
import { composeSupergraph, type SubgraphConfig } from '../../gateway/compose.ts';
import type { MemberConfig, MemberTlsConfig } from '../../gateway/members-config.ts';
import { ensureDevCertificates, type DevCertificates } from '../../common/tls.ts';
import { startGateway, type GatewaySecurity, type RunningGateway, type StartGatewayOptions } from '../../gateway/server.ts';
import { buildGatewaySecurity } from '../../gateway/security.ts';
import { ensureKeyPair } from '../../common/dev-keys.ts';
import { devIssuer, devKeyName, issueDevToken, type DevTokenRequest } from '../../common/dev-identity.ts';
import type { ReleasePolicy } from '../../subgraphs/member/release-policy.ts';
import type { Purpose } from '../../common/caller.ts';
import type { KeySet } from '../../common/key-set.ts';
import type { JWK } from 'jose';

/**
 * A real network on 127.0.0.1, ports chosen by the OS: N member subgraphs (startMember over a
 * throwaway SQLite file each), optional stand-in peers (broken states) and extra subgraphs, and the
 * gateway over the composed supergraph. Each member counts the GraphQL requests it receives, so
 * tests can assert which states a query reached.
 */

export interface TestPerson {
  id: string;
  givenName: string;
  familyName: string;
  dateOfBirth?: string;
  status?: string;
  passport?: string;
  nationalities?: string[];
}

export interface CountedMember extends RunningMember {
  state: MemberState;
  /** POST /graphql requests received since start (or the last resetCounts). */
  requests(): number;
  resetCount(): void;
}

export interface TestNetwork {
  gateway: RunningGateway;
  url: string;
  members: Map<MemberState, CountedMember>;
  memberConfigs: MemberConfig[];
  supergraphSdl: string;
  /**
   * POSTs a query as the default persona (an NL analyst, SECRET, scope financial:read, purpose
   * counter-terrorism); `headers` override or add to that.
   */
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLAnswer>;
  /** A token of `state`'s dev identity provider for this network. */
  token(request: Omit<DevTokenRequest, 'keysDir'>): Promise<string>;
  /** Authorization + purpose headers for a persona. */
  as(request: Omit<DevTokenRequest, 'keysDir'>, purpose?: Purpose): Promise<Record<string, string>>;
  /** Where this network keeps its keys (gateway.jwk, idp-<STATE>.jwk; with `tls`, the certificates under tls/). */
  keysDir: string;
  /** With `tls`: the dev CA and certificates the members and the gateway use. */
  certificates?: DevCertificates;
  /** The gateway's security, to start further gateways over the same members. */
  security: GatewaySecurity;
  requestCounts(): Record<string, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

export interface GraphQLAnswer {
  status: number;
  ms: number;
  headers: Headers;
  body: { data?: any; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> };
}

export interface NetworkOptions {
  /** Real member states, started in this order (merge order). */
  states: MemberState[];
  /** Records per state; states without an entry get none. */
  data?: Partial<Record<MemberState, TestPerson[]>>;
  /** Stand-in peers listed in the members config after the real states (broken states). */
  peers?: Array<{ code: MemberState; url: string; timeoutMs?: number }>;
  timeoutMs?: number;
  /** Ordinary subgraphs composed next to `member`. */
  subgraphs?: Array<{ name: string; url: string; sdl: string }>;
  gateway?: Partial<StartGatewayOptions>;
  /**
   * Release policies per state. Default: every state releases FULL to every partner, so fan-out
   * tests see all data; 'config' uses config/policies/<STATE>.yaml.
   */
  policies?: 'config' | Partial<Record<MemberState, ReleasePolicy>>;
  strictAuthorization?: boolean;
  /** The gateway keys every member trusts (default: the public part of the network's gateway.jwk). */
  memberGatewayKeys?: KeySet;
  /** The key the gateway signs context tokens with (default: the network's gateway.jwk). */
  gatewaySigningKey?: JWK;
  /**
   * Mutual TLS between the gateway and the states, with certificates minted by `hague dev`'s own
   * code (common/tls.ts) into the network's keys folder. Default: plain HTTP.
   */
  tls?: boolean;
  /** With `tls`: what the gateway verifies a state with, instead of the dev CA (another CA's file, pins). */
  memberTls?: Partial<Record<MemberState, Partial<MemberTlsConfig>>>;
}

/** A policy that releases everything to everyone: for tests about something else than release rules. */
export function openPolicy(state: MemberState): ReleasePolicy {
  return { memberState: state, defaultTier: 'FULL', partners: {}, fields: {}, source: `open test policy of ${state}` };
}

export const DEFAULT_PERSONA = { state: 'NL', roles: ['analyst'], clearance: 'SECRET', scopes: ['financial:read'] } as const satisfies Omit<
  DevTokenRequest,
  'keysDir'
>;

export async function startNetwork(options: NetworkOptions): Promise<TestNetwork> {
  const folder = mkdtempSync(join(tmpdir(), 'hague-net-'));
  const members = new Map<MemberState, CountedMember>();
  let gateway: RunningGateway | undefined;
  const close = async () => {
    await gateway?.close();
    await Promise.all([...members.values()].map((m) => m.close()));
    rmSync(folder, { recursive: true, force: true });
  };
  const keysDir = join(folder, 'keys');
  try {
    const gatewayKey = await ensureKeyPair(keysDir, 'gateway');
    for (const state of MEMBER_STATES) await ensureKeyPair(keysDir, devKeyName(state));
    const certificates = options.tls ? await ensureDevCertificates(keysDir, options.states, ['127.0.0.1']) : undefined;
    const pem = (file: string) => readFileSync(file, 'utf8');
    for (const state of options.states) {
      const policy = options.policies === 'config' ? undefined : (options.policies?.[state] ?? openPolicy(state));
      const member = await startMember({
        state,
        database: join(folder, `${state}.db`),
        gatewayPublicKey: options.memberGatewayKeys ?? gatewayKey.publicJwk,
        policy,
        policiesDir: 'config/policies',
        ...(certificates
          ? { tls: { cert: pem(certificates.members[state].certFile), key: pem(certificates.members[state].keyFile), clientCa: pem(certificates.caFile) } }
          : {}),
      });
      let count = 0;
      // Counted on the raw HTTP server: fastify hooks cannot be added once the member listens.
      member.app.server.prependListener('request', (req: IncomingMessage) => {
        if (req.method === 'POST' && req.url?.startsWith('/graphql')) count++;
      });
      members.set(
        state,
        Object.assign(member, {
          state,
          requests: () => count,
          resetCount: () => {
            count = 0;
          },
        }),
      );
      await insertPersons(member.store, options.data?.[state] ?? []);
    }
    const identity = (code: MemberState) => ({ issuer: devIssuer(code), publicKeys: [{ file: join(keysDir, `${devKeyName(code)}.jwk`) }] });
    const memberConfigs: MemberConfig[] = [
      ...[...members.values()].map((m) => ({
        code: m.state,
        name: MEMBER_STATE_NAMES[m.state],
        url: m.url,
        timeoutMs: options.timeoutMs ?? 2000,
        ...identity(m.state),
        ...(certificates ? { tls: { caFile: certificates.caFile, ...options.memberTls?.[m.state] } } : {}),
      })),
      ...(options.peers ?? []).map((p) => ({
        code: p.code,
        name: MEMBER_STATE_NAMES[p.code],
        url: p.url,
        timeoutMs: p.timeoutMs ?? options.timeoutMs ?? 2000,
        ...identity(p.code),
      })),
    ];
    // Callers of the default persona's state can sign in even when NL is not in this network.
    const signIn = memberConfigs.some((m) => m.code === DEFAULT_PERSONA.state)
      ? []
      : [{ code: DEFAULT_PERSONA.state, name: 'sign-in only', url: 'http://127.0.0.1:9/unused', timeoutMs: 1, ...identity(DEFAULT_PERSONA.state) }];
    const supergraphSdl = composeTest(memberConfigs[0]?.url ?? 'http://127.0.0.1:9/graphql', options.subgraphs ?? []);
    const security = await buildGatewaySecurity({
      members: [...memberConfigs, ...signIn],
      keysDir,
      acceptDevKeys: true,
      strictAuthorization: options.strictAuthorization,
    });
    if (options.gatewaySigningKey) security.signingKey = options.gatewaySigningKey;
    const clientCertificate = certificates && { certFile: certificates.gateway.certFile, keyFile: certificates.gateway.keyFile };
    gateway = await startGateway({ supergraphSdl, members: memberConfigs, security, clientCertificate, ...options.gateway });
    const url = gateway.url;
    const token = (request: Omit<DevTokenRequest, 'keysDir'>) => issueDevToken({ ...request, keysDir });
    const as = async (request: Omit<DevTokenRequest, 'keysDir'>, purpose: Purpose = 'counter-terrorism') => ({
      authorization: `Bearer ${await token(request)}`,
      'x-hague-purpose': purpose,
    });
    const defaultHeaders = await as({ ...DEFAULT_PERSONA, roles: [...DEFAULT_PERSONA.roles], scopes: [...DEFAULT_PERSONA.scopes] });
    return {
      gateway,
      url,
      members,
      memberConfigs,
      supergraphSdl,
      keysDir,
      certificates,
      token,
      as,
      security,
      query: (query, variables, headers) => postQuery(url, query, variables, { ...defaultHeaders, ...headers }),
      requestCounts: () => Object.fromEntries([...members].map(([s, m]) => [s, m.requests()])),
      resetCounts: () => {
        for (const m of members.values()) m.resetCount();
      },
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

export function composeTest(memberUrl: string, extra: Array<{ name: string; url: string; sdl: string }>): string {
  const subgraphs: SubgraphConfig[] = [
    { name: 'member', routingUrl: memberUrl, source: 'schema/member.graphql', sdl: memberSchemaSdl },
    ...extra.map((s) => ({ name: s.name, routingUrl: s.url, source: `${s.name} (test)`, sdl: s.sdl })),
  ];
  return composeSupergraph({ file: 'test rover config', federationVersion: '=2.14.4', subgraphs }).supergraphSdl;
}

export async function postQuery(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLAnswer> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as GraphQLAnswer['body'];
  return { status: res.status, ms: performance.now() - started, headers: res.headers, body };
}

/** Minimal records (person, name keys, nationalities, passport) straight into a state's store. */
export async function insertPersons(store: Store, persons: TestPerson[]): Promise<void> {
  if (persons.length === 0) return;
  const { db } = store;
  await db
    .insertInto('persons')
    .values(
      persons.map((p) => ({
        id: p.id,
        given_name: p.givenName,
        family_name: p.familyName,
        date_of_birth: p.dateOfBirth ?? null,
        status: p.status ?? 'SUSPECT',
        background: null,
        contact_unit: 'CT desk',
        contact_email: null,
        contact_phone: null,
        contact_reference: `REF-${store.state}-${p.id}`,
      })),
    )
    .execute();
  await db
    .insertInto('person_name_keys')
    .values(persons.flatMap((p) => nameKeys([p.givenName, p.familyName]).map((k) => ({ person_id: p.id, name_key: k.key, skeleton: k.skeleton }))))
    .execute();
  const nationalities = persons.flatMap((p) => (p.nationalities ?? []).map((country) => ({ person_id: p.id, country })));
  if (nationalities.length) await db.insertInto('person_nationalities').values(nationalities).execute();
  const documents = persons
    .filter((p) => p.passport)
    .map((p) => ({
      id: `D-${p.id}`,
      person_id: p.id,
      number: p.passport!,
      number_key: documentNumberKey(p.passport!),
      kind: 'PASSPORT',
      issuing_state: 'BE',
      valid_until: null,
    }));
  if (documents.length) await db.insertInto('identity_documents').values(documents).execute();
}

export type PeerBehaviour = 'slow' | 'http500' | 'garbage';

/**
 * A stand-in for a broken member state (a fake peer, not a mock of our code): answers every
 * request too slowly, with HTTP 500, or with a body that is not JSON.
 */
export async function startBrokenPeer(behaviour: PeerBehaviour, delayMs = 10_000): Promise<{ url: string; requests(): number; close(): Promise<void> }> {
  let count = 0;
  const pending = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/graphql')) count++;
      if (behaviour === 'slow') {
        pending.add(res);
        const timer = setTimeout(() => {
          pending.delete(res);
          res.end('{"data":{"persons":[]}}');
        }, delayMs);
        res.on('close', () => {
          clearTimeout(timer);
          pending.delete(res);
        });
      } else if (behaviour === 'http500') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data": {"persons": [ <html>oops');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of pending) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port where nothing listens: bound, then released (a stopped state). */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

/** The contract's MemberState enum, which any subgraph keyed on `memberState id` must repeat. */
const MEMBER_STATE_ENUM = `enum MemberState { ${MEMBER_STATES.join(' ')} }`;

export const CASEFILES_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  ${MEMBER_STATE_ENUM}
  "A case file of another agency: it refers to member-state records by key, never copies them."
  type Casefile { reference: String! title: String! subjects: [Person!]! }
  type Person @key(fields: "memberState id") { memberState: MemberState! id: ID! casefiles: [Casefile!]! }
  type Query { casefile(reference: String!): Casefile, brokenCasefile: Casefile }
`;

export interface CasefileData {
  reference: string;
  title: string;
  subjects: Array<{ memberState: string; id: string }>;
}

/**
 * An ordinary federation subgraph (another agency's case files) extending Person by its key:
 * @apollo/subgraph served by mercurius, like a member. `brokenCasefile` fails with an internal
 * message (SQL-looking) that the gateway must mask.
 */
export async function startCasefiles(
  casefiles: CasefileData[],
): Promise<{ url: string; requests(): number; received(): Array<{ token: string | undefined; body: string }>; close(): Promise<void> }> {
  const app = Fastify({ logger: false });
  // What arrived, byte for byte: the gateway's context token is bound to the body as sent.
  const received: Array<{ token: string | undefined; body: string }> = [];
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const header = request.headers['x-hague-context'];
    received.push({ token: Array.isArray(header) ? header[0] : header, body: String(body) });
    try {
      done(null, JSON.parse(String(body)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  const byRef = new Map(casefiles.map((c) => [c.reference, c]));
  const schema = buildSubgraphSchema([
    {
      typeDefs: parse(CASEFILES_SDL),
      resolvers: {
        Query: {
          casefile: (_: unknown, { reference }: { reference: string }) => byRef.get(reference) ?? null,
          brokenCasefile: () => {
            throw new Error('SELECT * FROM casefiles WHERE secret = 1 failed: relation does not exist');
          },
        },
        Person: {
          __resolveReference: (ref: { memberState: string; id: string }) => ({ ...ref }),
          casefiles: (person: { memberState: string; id: string }) =>
            casefiles.filter((c) => c.subjects.some((s) => s.memberState === person.memberState && s.id === person.id)),
        },
      } as never,
    },
  ]);
  await app.register(mercurius, { schema, path: '/graphql' });
  let count = 0;
  app.server.prependListener('request', (req: IncomingMessage) => {
    if (req.url?.startsWith('/graphql')) count++;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/graphql`, requests: () => count, received: () => [...received], close: () => app.close() };
}

const HAGUE = fileURLToPath(new URL('../../bin/hague.js', import.meta.url));

/** Runs `hague <args>` to completion: exit code and output. */
export function runCli(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [HAGUE, ...args], { timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      if (!error) resolve({ code: 0, stdout, stderr });
      else if (typeof error.code === 'number') resolve({ code: error.code, stdout, stderr });
      else if (error.killed)
        resolve({ code: null, stdout, stderr }); // timed out: no exit code
      else reject(new Error(error.message, { cause: error }));
    });
  });
}

/** `hague gateway` over `supergraph` and `members` on `port`, its keys in `keysDir`, its audit log `audit`; `more` flags after those. */
export function gatewayCliArgs(
  options: { supergraph: string; members: string; port: number | string; keysDir: string; audit: string },
  ...more: string[]
): string[] {
  return [
    'gateway',
    ...['--supergraph', options.supergraph, '--members', options.members, '--port', String(options.port)],
    ...['--keys-dir', options.keysDir, '--audit', options.audit],
    ...more,
  ];
}

export interface RunningCli {
  child: ChildProcess;
  output(): string;
  /** Resolves with the output once `pattern` appears in stdout (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Starts a long-running `hague <args>` (gateway, dev) and lets the test wait for its output; `env`
 * adds to the test's environment. `prefix` runs it through another command that then executes node
 * itself (`ip netns exec <ns>`), so signals still reach the hague process.
 */
export function startCli(args: string[], env: Record<string, string> = {}, prefix: string[] = []): RunningCli {
  const [command, ...rest] = [...prefix, process.execPath, HAGUE, ...args];
  const child = spawn(command, rest, { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
  });
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => `${stdout}${stderr ? `\n[stderr]\n${stderr}` : ''}`,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (match) {
            cleanup();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${stdout}\n${stderr}`));
        }, timeoutMs);
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`exited with ${code} before ${pattern}; output:\n${stdout}\n${stderr}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout.on('data', check);
        child.once('exit', onExit);
        check();
      }),
    stop: (signal = 'SIGINT') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
