import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Dispatcher } from 'undici';
import type { MemberConfig } from './members-config.ts';
import { contextAudience } from '../common/context-token.ts';
import { CORRELATION_ID_HEADER, REQUEST_ID_HEADER } from '../common/request-id.ts';
import { contextOf, type GatewayContext, type HeadersFor, type StateCall } from './context.ts';
import { MemberReplicas, type StateResult } from './replicas.ts';
import { NO_STATE, mergeEntities, mergeRoot, type Answer, type Partition } from './merge.ts';
import { collectCounts, countAnswer } from './state-counts.ts';
import { analyse, parseOperation, pickVariables, subOperation, targetsOf, type Analysis, type Targets } from './routing.ts';
import { SUBJECTS_FIELD, mergeSubjects, personsOperation } from './subjects.ts';
import { Kind } from 'graphql';

/**
 * The data source of the `member` subgraph (docs/architecture.md, and docs/decisions/0001-fan-out-as-a-data-source.md). The
 * supergraph sees one subgraph; this source turns each of its fetches into one request per member
 * state that must answer it, in parallel, each with the state's own timeout, and merges the answers
 * (merge.ts). Which states a fetch reaches is decided in routing.ts.
 */

export interface FanoutOptions {
  members: MemberConfig[];
  /** Keep-alive agent shared with the other data sources; closed by the gateway. */
  dispatcher: Dispatcher;
  /** Root query fields that return lists (from the supergraph): concatenated, not first-wins. */
  listFields: ReadonlySet<string>;
  headersFor?: HeadersFor;
  /** Each state's replicas, breakers and balancing (replicas.ts), shared with /readyz and /metrics; default: made here, without a memory cap. */
  replicas?: MemberReplicas;
  /** Called once per state request: the plugins' onStateCall hooks. */
  onCall?: (call: StateCall, context: GatewayContext) => void;
  /** The clock of `subjects` alerts (a planned trip in the coming days); default the system clock. */
  now?: () => Date;
}

type Response = Awaited<ReturnType<GraphQLDataSource['process']>>;

export class MemberFanout implements GraphQLDataSource<GatewayContext> {
  private readonly byCode: Map<string, MemberConfig>;
  private readonly network: string[];
  private readonly replicas: MemberReplicas;

  constructor(private readonly options: FanoutOptions) {
    this.byCode = new Map(options.members.map((m) => [m.code, m]));
    this.network = options.members.map((m) => m.code);
    this.replicas = options.replicas ?? new MemberReplicas(options.members, options.dispatcher);
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<Response> {
    const { request } = options;
    const context = contextOf(options, 'member fan-out');
    if (!request.query) throw new Error('member fan-out: fetch without a query');
    const document = 'document' in options && options.document ? options.document : parseOperation(request.query);
    const analysis = analyse(document, request.operationName);
    const variables = request.variables ?? {};
    return analysis.isEntities
      ? this.entities(request.query, request.operationName, variables, context)
      : this.root(analysis, request.query, request.operationName, variables, context);
  }

  /** Root fields: each state gets the fields aimed at it (routing.ts), answers merged per field. */
  private async root(
    analysis: Analysis,
    query: string,
    operationName: string | undefined,
    variables: Record<string, unknown>,
    context: GatewayContext,
  ): Promise<Response> {
    const targets = new Map<string, Targets>();
    const unitsByState = new Map<string, number[]>();
    analysis.units.forEach((unit, i) => {
      const states = new Set<string>();
      for (const field of unit.fields) {
        const t = targetsOf(field, variables, analysis.defaults, this.network);
        const known = targets.get(field.key);
        targets.set(field.key, known ? { states: union(known.states, t.states, this.network), outside: [...new Set([...known.outside, ...t.outside])] } : t);
        for (const s of t.states) states.add(s);
      }
      for (const s of states) {
        let list = unitsByState.get(s);
        if (!list) unitsByState.set(s, (list = []));
        list.push(i);
      }
    });

    // `subjects` is linked here from `persons` answers (subjects.ts); its units are not sent as they
    // are. Each state gets one request: the searches the subjects need ride, under aliases, in the
    // same request as the operation's other root fields for that state.
    const linked = analysis.units.flatMap((unit, i) => (unit.fields.some((f) => f.name === SUBJECTS_FIELD) ? [i] : []));
    for (const [state, units] of linked.length ? unitsByState : []) {
      const rest = units.filter((i) => !linked.includes(i));
      if (rest.length) unitsByState.set(state, rest);
      else unitsByState.delete(state);
    }
    const linking = linked
      .flatMap((i) => analysis.units[i].fields.filter((f) => f.name === SUBJECTS_FIELD))
      .map((field, i) => ({ field, alias: `hague_subjects_${i}`, sub: personsOperation(analysis, field), states: targets.get(field.key)?.states ?? [] }));
    const states = [...new Set([...unitsByState.keys(), ...linking.flatMap((l) => l.states)])];

    const answers = new Map<string, Answer>();
    /** Per subjects field, each state's answer to its persons search. */
    const searched = linking.map(() => [] as Answer[]);
    await Promise.all(
      states.map(async (state) => {
        const units = unitsByState.get(state) ?? [];
        const searches = linking.flatMap((l, i) => (l.states.includes(state) ? [i] : []));
        let sub: { query: string; variables: string[] };
        if (!searches.length) sub = units.length === analysis.units.length ? { query, variables: Object.keys(variables) } : subOperation(analysis, units);
        else if (!units.length && searches.length === 1) sub = linking[searches[0]].sub;
        else
          sub = subOperation(
            analysis,
            units,
            searches.map((i) => ({ ...linking[i].sub.persons, alias: { kind: Kind.NAME, value: linking[i].alias } })),
          );
        const payload = { query: sub.query, variables: pickVariables(variables, sub.variables), ...(operationName ? { operationName } : {}) };
        const answer = await this.call(state, 'root', payload, context);
        if (!searches.length) return void answers.set(state, answer);
        if (!units.length && searches.length === 1) return void searched[searches[0]].push(answer);
        const parts = splitAnswer(
          answer,
          units.length > 0,
          searches.map((i) => linking[i].alias),
        );
        if (units.length) answers.set(state, parts.rest);
        searches.forEach((i, k) => searched[i].push(parts.searches[k]));
      }),
    );
    const merged = mergeRoot(analysis, targets, answers, this.options.listFields, this.network);
    linking.forEach(({ field, sub }, i) => {
      // In the network's order, whatever order the states answered in.
      const answered = searched[i].sort((a, b) => order(this.network, a.state) - order(this.network, b.state));
      for (const answer of answered) countAnswer((context.stateCounts ??= {}), answer.state, field.key, answer, 'persons');
      const result = mergeSubjects(field, answered, sub.recordsKey, variables, this.options.now?.() ?? new Date(), analysis);
      if (merged.data) merged.data[field.key] = result.data;
      merged.errors.push(...result.errors);
    });
    collectCounts(analysis, targets, answers, this.options.listFields, (context.stateCounts ??= {}));
    return { data: merged.data, ...(merged.errors.length ? { errors: merged.errors } : {}) };
  }

  /** `_entities`: representations partitioned by memberState, each part sent to its owner only. */
  private async entities(query: string, operationName: string | undefined, variables: Record<string, unknown>, context: GatewayContext): Promise<Response> {
    const representations = Array.isArray(variables.representations) ? (variables.representations as Array<Record<string, unknown>>) : [];
    const byState = new Map<string, number[]>();
    representations.forEach((rep, i) => {
      const state = typeof rep?.memberState === 'string' ? rep.memberState : NO_STATE;
      let list = byState.get(state);
      if (!list) byState.set(state, (list = []));
      list.push(i);
    });
    const partitions: Partition[] = [...byState]
      .map(([state, indexes]) => ({ state, indexes }))
      .sort((a, b) => order(this.network, a.state) - order(this.network, b.state));
    const answers = new Map<string, Answer>();
    await Promise.all(
      partitions
        .filter((p) => this.byCode.has(p.state))
        .map(async ({ state, indexes }) => {
          const payload = {
            query,
            variables: { ...variables, representations: indexes.map((i) => representations[i]) },
            ...(operationName ? { operationName } : {}),
          };
          answers.set(state, await this.call(state, 'entities', payload, context));
        }),
    );
    const merged = mergeEntities(representations.length, partitions, answers, this.network);
    return { data: merged.data, ...(merged.errors.length ? { errors: merged.errors } : {}) };
  }

  private async call(
    state: string,
    kind: StateCall['kind'],
    payload: { query: string; variables: Record<string, unknown>; operationName?: string },
    context: GatewayContext,
  ): Promise<Answer> {
    const member = this.byCode.get(state)!;
    const body = JSON.stringify(payload);
    const base: Record<string, string> = { [REQUEST_ID_HEADER]: context.requestId };
    // The client's own X-Request-Id, for the owners' audit entries (never the id they join on).
    if (context.correlationId) base[CORRELATION_ID_HEADER] = context.correlationId;
    const { headersFor } = this.options;
    // A fresh context token for every attempt (retry, hedge): each is bound to its body and deadline and used once.
    const headers = async (deadline: number) =>
      headersFor ? { ...base, ...(await headersFor(contextAudience(member.code), context, { body, deadline })) } : { ...base };
    const result: StateResult = await this.replicas.get(state)!.call({ body, headers });
    const outcome = result.ok ? 'ok' : result.failure.kind;
    this.options.onCall?.({ state, kind, ms: result.ms, outcome }, context);
    if (!result.ok) {
      // A state behind an open breaker is not asked at all: logged at debug, the breaker's opening was warned about.
      context.log[result.failure.kind === 'circuit_open' ? 'debug' : 'warn'](
        { memberState: state, kind, reason: outcome, ms: result.ms, url: result.url, attempts: result.attempts },
        `member state ${state} ${result.failure.detail}`,
      );
      return { state, failure: result.failure, timeoutMs: member.timeoutMs };
    }
    context.log.debug(
      { memberState: state, kind, ms: result.ms, status: result.status, errors: result.body.errors?.length ?? 0, url: result.url, attempts: result.attempts },
      `member state ${state} answered`,
    );
    return { state, body: result.body, timeoutMs: member.timeoutMs };
  }
}

/**
 * One state's answer to a request carrying both the operation's own root fields and the persons
 * searches of `subjects` (under `aliases`), split as if they had been separate requests: each
 * search's data and errors (paths pointing at `persons`), and the rest. A failure, and an error that
 * points at no field when the state answered no data at all (it refused the whole request), belong
 * to every part; such an error beside data belongs to the operation's own fields.
 */
function splitAnswer(answer: Answer, hasRest: boolean, aliases: string[]): { rest: Answer; searches: Answer[] } {
  if (!answer.body) return { rest: answer, searches: aliases.map(() => ({ ...answer })) };
  const data = answer.body.data;
  const errors = answer.body.errors ?? [];
  const searches = aliases.map((alias): Answer => {
    const own = errors.filter((e) => e.path?.[0] === alias).map((e) => ({ ...e, path: ['persons', ...e.path!.slice(1)] }));
    const whole = hasRest && data ? [] : errors.filter((e) => !e.path?.length);
    const found = data && typeof data === 'object' && alias in data ? { persons: data[alias] } : null;
    // The state's own count of the search ("more exist"), as it reported it under the alias.
    const counted = (answer.body!.extensions?.hague as { lists?: Record<string, unknown> } | undefined)?.lists?.[alias];
    return {
      ...answer,
      body: {
        data: found,
        ...(own.length || whole.length ? { errors: [...own, ...whole] } : {}),
        ...(counted ? { extensions: { hague: { lists: { persons: counted } } } } : {}),
      },
    };
  });
  const restData = data && typeof data === 'object' ? Object.fromEntries(Object.entries(data).filter(([key]) => !aliases.includes(key))) : data;
  const restErrors = errors.filter((e) => !(typeof e.path?.[0] === 'string' && aliases.includes(e.path[0])));
  const { errors: _all, ...body } = answer.body;
  return { rest: { ...answer, body: { ...body, data: restData, ...(restErrors.length ? { errors: restErrors } : {}) } }, searches };
}

function order(network: string[], state: string): number {
  const i = network.indexOf(state);
  return i === -1 ? network.length : i;
}

function union(a: string[], b: string[], network: string[]): string[] {
  const set = new Set([...a, ...b]);
  return network.filter((s) => set.has(s));
}
