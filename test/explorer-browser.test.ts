import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import Fastify, { type FastifyInstance } from 'fastify';
import { graphql } from 'graphql';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerExplorer, type ExplorerPersona } from '../gateway/explorer.ts';
import { memberTypeDefs } from '../schema/contract.ts';
import { describeWithChromium, launchChromium, openExplorer, pickExample, watchPage } from './support/browser.ts';

/**
 * Smoke test of the explorer in a real browser (Debian's chromium, driven by playwright-core):
 * the page loads GraphiQL from this process only, without errors or CSP violations, and the bar's
 * picks become the headers of the GraphQL requests. The GraphQL endpoint here is a stand-in that
 * answers introspection from the contract and one canned joint answer with per-state errors; the
 * end-to-end test against the live network is test/explorer-e2e (the lead's).
 */

const describeChromium = describeWithChromium('explorer-browser');

const PERSONAS: ExplorerPersona[] = [
  { id: 'nl-analyst', label: 'NL analyst · SECRET', state: 'NL', roles: ['analyst'], clearance: 'SECRET', scopes: ['read:persons'], token: 'token-nl' },
  { id: 'be-officer', label: 'BE officer · RESTRICTED', state: 'BE', roles: ['officer'], clearance: 'RESTRICTED', scopes: [], token: 'token-be' },
];

/** What a joint query answers in the real network: records of two states, one withheld field, one state down. */
const JOINT_ANSWER = {
  data: {
    persons: [
      { memberState: 'NL', id: 'NL-P-000001', givenName: 'Abdelkarim', familyName: 'Belhaouari', background: null },
      { memberState: 'BE', id: 'BE-P-000001', givenName: 'Abdelkarim', familyName: 'Belhaouari', background: 'Recruiter' },
    ],
  },
  errors: [
    {
      message: 'NL did not release Person.background to BE',
      path: ['persons', 0, 'background'],
      extensions: { code: 'NOT_RELEASED', memberState: 'NL', reason: 'tier SUMMARY' },
    },
    { message: 'FR did not answer in time', extensions: { code: 'MEMBER_UNAVAILABLE', memberState: 'FR' } },
  ],
};

interface Seen {
  headers: Record<string, string | string[] | undefined>;
  operationName?: string;
}
interface Served {
  app: FastifyInstance;
  origin: string;
  seen: Seen[];
}

/** The explorer on 127.0.0.1 next to a stand-in /graphql that records what the page sent. */
async function serve(personas?: () => Promise<ExplorerPersona[]>): Promise<Served> {
  const schema = buildSubgraphSchema({ typeDefs: memberTypeDefs });
  const seen: Seen[] = [];
  const app = Fastify({ logger: false });
  app.post<{ Body: { query: string; operationName?: string; variables?: Record<string, unknown> } }>('/graphql', async (request) => {
    seen.push({ headers: request.headers, operationName: request.body.operationName });
    if (request.body.operationName === 'IntrospectionQuery') {
      return graphql({ schema, source: request.body.query, variableValues: request.body.variables });
    }
    return JOINT_ANSWER;
  });
  await registerExplorer(app, {
    purposes: ['counter-terrorism investigation', 'border check'],
    members: [
      { code: 'NL', name: 'Netherlands' },
      { code: 'BE', name: 'Belgium' },
      { code: 'FR', name: 'France' },
    ],
    personas,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, seen, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` };
}

/** Sets the text of the shown CodeMirror editor inside `within` (typing would fight its auto-closing brackets). */
async function setEditor(page: Page, within: string, text: string): Promise<void> {
  await page.evaluate(
    ({ within, text }) => {
      const editors = Array.from(document.querySelectorAll<HTMLElement & { CodeMirror: { setValue(v: string): void } }>(`${within} .CodeMirror`));
      const visible = editors.find((e) => !e.closest('.hidden')); // GraphiQL hides the inactive tool editor by class
      if (!visible) throw new Error(`no visible editor in ${within}`);
      visible.CodeMirror.setValue(text);
    },
    { within, text },
  );
}

describeChromium('explorer in headless Chromium', () => {
  let dev: Served;
  let production: Served;
  let browser: Browser;

  beforeAll(async () => {
    dev = await serve(async () => PERSONAS);
    production = await serve();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await dev?.app.close();
    await production?.app.close();
  });

  it('loads GraphiQL from this origin only and sends the picked headers', async () => {
    const { origin, seen } = dev;
    const watched = await watchPage(browser, { viewport: { width: 1400, height: 900 } });
    const { page, requested } = watched;
    await openExplorer(page, `${origin}/`);
    await page.waitForFunction(() => document.querySelectorAll('#persona option').length === 3);
    // Dev mode starts ready: first persona and first purpose are picked.
    expect(await page.inputValue('#persona')).toBe('nl-analyst');
    expect(await page.inputValue('#token')).toBe('token-nl');
    expect(await page.inputValue('#purpose')).toBe('counter-terrorism investigation');
    await expect.poll(() => seen.some((s) => s.operationName === 'IntrospectionQuery')).toBe(true);

    await page.selectOption('#persona', 'be-officer');
    await page.selectOption('#purpose', 'border check');
    await page.fill('#case', 'CASE-2026-17');
    await pickExample(page, 'passport', 'PassportDossier');
    await page.click('.graphiql-execute-button');
    await page.waitForSelector('[data-testid="workspace-contacts"] [data-testid="contact-line"][data-code="NOT_RELEASED"][data-member-state="NL"]', {
      state: 'attached',
    });

    // A new persona is new credentials: GraphiQL fetched the schema again with the new token.
    expect(seen.some((s) => s.operationName === 'IntrospectionQuery' && s.headers.authorization === 'Bearer token-be')).toBe(true);
    // The workspace: the records of NL and BE, NL's withheld background under NL, FR that did not answer.
    expect(await page.textContent('[data-testid="workspace-summary"]')).toContain('2 subjects, 2 records from NL Netherlands, BE Belgium · 2 errors');
    const line = (state: string, code: string) => page.locator(`[data-testid="contact-line"][data-member-state="${state}"][data-code="${code}"]`);
    expect(await line('NL', 'NOT_RELEASED').getAttribute('data-field')).toBe('Person.background');
    expect(await line('NL', 'NOT_RELEASED').getAttribute('data-records')).toBe('1');
    expect(await line('NL', 'NOT_RELEASED').textContent()).toContain('NL did not release Person.background to BE (tier SUMMARY)');
    expect(await line('FR', 'MEMBER_UNAVAILABLE').count()).toBe(1);
    // The result pane shows the JSON, data first (CodeMirror renders only the visible lines of it).
    const response = await page.textContent('.graphiql-response');
    expect(response).toContain('"data"');
    expect(response!.indexOf('"data"')).toBeLessThan(response!.indexOf('"errors"'));
    const query = seen.filter((s) => s.operationName === 'PassportDossier').at(-1);
    expect(query?.headers).toMatchObject({
      authorization: 'Bearer token-be',
      'x-hague-purpose': 'border check',
      'x-hague-case': 'CASE-2026-17',
      'content-type': 'application/json',
    });

    // The docs pane shows the contract's own descriptions.
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.click('.graphiql-doc-explorer a:has-text("Query")');
    await page.waitForSelector('.graphiql-doc-explorer:has-text("Persons matching the filter")');

    const screenshot = join(tmpdir(), `hague-explorer-smoke-${process.pid}.png`);
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log(`explorer-browser: screenshot ${screenshot}`);

    await watched.expectClean(origin);
    expect(requested.length).toBeGreaterThan(6);
    await watched.context.close();
  });

  it('in production offers a token field only and sends the pasted token', async () => {
    const { origin, seen } = production;
    const watched = await watchPage(browser);
    const { page, requested } = watched;
    await openExplorer(page, `${origin}/graphql`, { personas: false });
    expect(await page.isHidden('#persona')).toBe(true);
    expect(await page.isHidden('#dev-badge')).toBe(true);
    expect(requested.map((url) => new URL(url).pathname)).not.toContain('/explorer/personas.json');
    // Production does not pick a purpose for the analyst: it is the legal basis of the query.
    expect(await page.inputValue('#purpose')).toBe('');
    await page.fill('#token', 'Bearer pasted-token');
    await page.selectOption('#purpose', 'border check');
    await pickExample(page, 'organisation', 'OrganisationAcrossStates');
    await page.click('.graphiql-execute-button');
    await page.waitForSelector('[data-testid="contact-line"][data-code="MEMBER_UNAVAILABLE"][data-member-state="FR"]', { state: 'attached' });
    const query = seen.filter((s) => s.operationName === 'OrganisationAcrossStates').at(-1);
    expect(query?.headers).toMatchObject({ authorization: 'Bearer pasted-token', 'x-hague-purpose': 'border check' });
    expect(query?.headers['x-hague-case']).toBeUndefined();

    // Picking the same example again after editing puts it back.
    await setEditor(page, '.graphiql-query-editor', '{ __typename }');
    await pickExample(page, 'organisation', 'OrganisationAcrossStates');

    // A header typed in GraphiQL's Headers pane replaces the bar's, whatever its case.
    await page.click('button[data-name="headers"]');
    await page.waitForSelector('button[data-name="headers"].active'); // rendered: the Headers editor is the visible one
    await setEditor(page, '.graphiql-editor-tool', '{ "Authorization": "Bearer from-pane" }');
    const before = seen.length;
    await page.click('.graphiql-execute-button');
    await expect.poll(() => seen.length).toBeGreaterThan(before);
    expect(seen.at(-1)?.headers.authorization).toBe('Bearer from-pane');
    await watched.expectClean(origin);
    await watched.context.close();
  });
});
