import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNetwork } from '../test/support/network.ts';
import { seedMember } from '../subgraphs/member/seed.ts';
import { NETWORK_KEY_FILE, ensureNetworkKeyring } from '../subgraphs/member/match-keys.ts';
import { DOSSIER_PASSPORT } from './scenarios.ts';

/**
 * `npm run bench -- --subjects`: what the gateway's `subjects` query costs against the plain
 * `persons` query for the same passport, in the same run. Five states (NL BE FR DE ES) seeded with
 * the demo data under the real release policies, gateway and members in this one process (the
 * ratio is the point, not the absolute figures), one connection, the two queries alternated; gateway rate limits off (the members' search budgets stay on).
 */

const STATES = ['NL', 'BE', 'FR', 'DE', 'ES'] as const;
const FACTS = `travel { at from { city country } to { city country } planned } listings { list listedSince } affiliations { role organisation { name kind } }`;
const PERSONS = `query($doc: String!) { persons(filter: { documentNumber: $doc }) { memberState id givenName familyName matchKeys { kind epoch value } ${FACTS} } }`;
const SUBJECTS = `query($doc: String!) { subjects(filter: { documentNumber: $doc }) {
  id heldBy linkedBy confidence records { memberState id givenName familyName }
  travel { movement { at from { city } to { city } planned } source { memberState recordId handling { code } evaluation { source information } } }
  listings { listing { list } source { memberState } } organisations { name kind source { memberState } } alerts { kind message } withheld { memberState fields } } }`;

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

export async function runSubjectsBench(options: { persons: number; iterations: number; command: string }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hague-bench-subjects-'));
  const net = await startNetwork({ states: [...STATES], policies: 'config', gateway: { rateLimit: false } });
  try {
    const keyring = ensureNetworkKeyring(join(dir, NETWORK_KEY_FILE));
    const asOf = new Date().toISOString().slice(0, 10);
    for (const member of net.members.values()) await seedMember(member.store, { persons: options.persons, keyring, asOf });
    const headers = await net.as({ state: 'BE', roles: ['analyst'], clearance: 'SECRET' }, 'counter-terrorism');
    const ask = async (query: string) => {
      const answer = await net.query(query, { doc: DOSSIER_PASSPORT }, headers);
      if (answer.status !== 200 || !answer.body.data)
        throw new Error(`bench --subjects: unexpected answer ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      return answer;
    };
    for (let i = 0; i < 20; i++) await Promise.all([ask(PERSONS), ask(SUBJECTS)]);
    const times = { persons: [] as number[], subjects: [] as number[] };
    net.resetCounts();
    for (let i = 0; i < options.iterations; i++) {
      times.persons.push((await ask(PERSONS)).ms);
      times.subjects.push((await ask(SUBJECTS)).ms);
    }
    const requests = Object.values(net.requestCounts()).reduce((a, b) => a + b, 0) / (2 * options.iterations);
    const sample = (await ask(SUBJECTS)).body.data.subjects as Array<{ heldBy: string[]; linkedBy: string[]; travel: unknown[] }>;
    const row = (name: 'persons' | 'subjects') =>
      `| ${name} | ${quantile(times[name], 0.5).toFixed(2)} | ${quantile(times[name], 0.9).toFixed(2)} | ${(times[name].reduce((a, b) => a + b, 0) / times[name].length).toFixed(2)} |`;
    console.log(
      [
        `${options.command}: ${STATES.length} states × ${options.persons} persons (config policies), BE analyst SECRET, passport ${DOSSIER_PASSPORT}; ` +
          `${options.iterations} of each query alternated on one connection; gateway and members in one process; ${availableParallelism()} CPUs, Node ${process.version}`,
        '',
        '| query | p50 ms | p90 ms | mean ms |',
        '|---|---|---|---|',
        row('persons'),
        row('subjects'),
        '',
        `subjects/persons: p50 ${(quantile(times.subjects, 0.5) / quantile(times.persons, 0.5)).toFixed(2)}x, mean ${(times.subjects.reduce((a, b) => a + b, 0) / times.persons.reduce((a, b) => a + b, 0)).toFixed(2)}x; ` +
          `member requests per query ${requests.toFixed(2)} (one per state each); the subject: held by ${sample[0]?.heldBy.join(', ')}, linked by ${sample[0]?.linkedBy.join(', ')}, ${sample[0]?.travel.length} legs`,
      ].join('\n'),
    );
  } finally {
    await net.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
