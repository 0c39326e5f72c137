import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type Response } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type GraphQLAnswer, type TestNetwork } from './support/network.ts';
import { describeWithChromium, startExplorerNetwork } from './support/explorer-network.ts';

/**
 * End to end, real everything: four member states (NL, BE, FR, DE) with the seeded demo data and
 * their real release policies (config/policies), the gateway with the dev personas, and the explorer
 * in headless Chromium. A German analyst runs the saved "passport" example: the answer holds the
 * records of NL, BE and FR on passport EM482913, and NL's documents come back NOT_RELEASED (NL gives
 * DE the SUMMARY tier only), both in the HTTP answer and in the workspace's whom-to-call view. Nothing the
 * page asks for leaves 127.0.0.1. The screenshot is kept in test-results/explorer-e2e.png.
 */

const describeChromium = describeWithChromium('explorer-e2e');
const PASSPORT = 'EM482913';
const SCREENSHOT = fileURLToPath(new URL('../test-results/explorer-e2e.png', import.meta.url));

describeChromium('explorer end to end: a DE analyst asks the live network about a passport', () => {
  let net: TestNetwork;
  let browser: Browser;

  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ net, browser, close } = await startExplorerNetwork());
  });

  afterAll(async () => {
    await close?.();
  });

  it("shows records of NL, BE and FR and NL's NOT_RELEASED documents", async () => {
    const origin = new URL(net.url).origin;
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const problems: string[] = [];
    const requested: string[] = [];
    context.on('request', (request) => requested.push(request.url()));
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    await page.addInitScript(() => {
      const w = window as unknown as { cspViolations: string[] };
      w.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    // The GraphQL answers as they came over the wire, with the headers the page sent.
    const answers: Array<Promise<{ operationName?: string; headers: Record<string, string>; status: number; body: GraphQLAnswer['body'] }>> = [];
    page.on('response', (response: Response) => {
      const request = response.request();
      if (request.method() !== 'POST' || new URL(response.url()).pathname !== '/graphql') return;
      const sent = request.postDataJSON() as { operationName?: string } | null;
      answers.push(
        (async () => ({
          operationName: sent?.operationName,
          headers: await request.allHeaders(),
          status: response.status(),
          body: (await response.json()) as GraphQLAnswer['body'],
        }))(),
      );
    });

    await page.goto(`${origin}/`);
    await page.waitForSelector('.graphiql-container', { timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll('#persona option').length > 1);

    // The example opens as the persona it is written for (a BE analyst); the analyst then switches to DE.
    await page.selectOption('#example', 'passport');
    await page.waitForFunction(() => document.querySelector('.graphiql-query-editor')?.textContent?.includes('PassportDossier'));
    await page.waitForFunction((passport) => {
      const editors = Array.from(document.querySelectorAll<HTMLElement & { CodeMirror: { getValue(): string } }>('.graphiql-editor-tool .CodeMirror'));
      return editors.some((e) => e.CodeMirror.getValue().includes(passport));
    }, PASSPORT);
    expect(await page.inputValue('#persona')).toBe('BE-analyst');
    await page.selectOption('#persona', 'DE-analyst');
    expect((await page.textContent('#persona option:checked'))?.trim()).toBe('DE CT analyst · SECRET');
    expect(await page.inputValue('#token')).not.toBe('');
    await page.selectOption('#purpose', 'counter-terrorism');
    await page.fill('#case', 'E2E-2026/1');
    await page.click('.graphiql-execute-button');
    await page.waitForSelector('[data-testid="workspace-contacts"] [data-testid="contact-line"][data-member-state="NL"][data-code="NOT_RELEASED"]', {
      state: 'attached',
      timeout: 20_000,
    });

    // The HTTP answer: records of several states, NL's documents withheld from DE.
    const all = await Promise.all(answers);
    const answer = all.filter((a) => a.operationName === 'PassportDossier').at(-1);
    expect(answer, `PassportDossier answer among ${all.map((a) => a.operationName).join(', ')}`).toBeDefined();
    expect(answer!.status).toBe(200);
    expect(answer!.headers).toMatchObject({ 'x-hague-purpose': 'counter-terrorism', 'x-hague-case': 'E2E-2026/1' });
    expect(answer!.headers.authorization).toMatch(/^Bearer /);
    const persons = answer!.body.data?.persons as Array<{
      memberState: string;
      id: string;
      familyName: string | null;
      documents: Array<{ number: string }> | null;
    }>;
    const holders = new Set(persons.map((p) => p.memberState));
    for (const state of ['NL', 'BE', 'FR']) expect(holders, `records of ${state}`).toContain(state);
    const nl = persons.find((p) => p.memberState === 'NL')!;
    expect(nl.familyName).toBe('Belhawari'); // SUMMARY tier: released to DE
    expect(nl.documents).toBeNull(); // FULL tier: withheld
    const errors = answer!.body.errors ?? [];
    const withheld = errors.find((e) => e.extensions?.code === 'NOT_RELEASED' && e.extensions?.memberState === 'NL' && e.path?.at(-1) === 'documents');
    expect(withheld, JSON.stringify(errors.slice(0, 5), null, 2)).toBeDefined();
    expect(withheld!.message).toContain('NL releases SUMMARY-tier fields to DE; documents is FULL-tier');
    expect(withheld!.path).toEqual(['persons', persons.indexOf(nl), 'documents']);

    // The page: the workspace names the states that answered; whom to call has NL's withheld documents and its reason.
    expect(await page.getAttribute('#workspace', 'data-states')).toMatch(/NL/);
    const summary = await page.textContent('[data-testid="workspace-summary"]');
    for (const name of ['NL Netherlands', 'BE Belgium', 'FR France']) expect(summary).toContain(name);
    const nlDocuments = page.locator('[data-testid="contact-line"][data-member-state="NL"][data-field="Person.documents"][data-code="NOT_RELEASED"]');
    expect(await nlDocuments.getAttribute('data-records')).toBe('1');
    expect(await nlDocuments.textContent()).toContain('NL releases SUMMARY-tier fields to DE; documents is FULL-tier');
    // The result pane holds the same JSON (read from its editor: CodeMirror renders visible lines only).
    const shown = await page.evaluate(() => {
      const pane = document.querySelector<HTMLElement & { CodeMirror: { getValue(): string } }>('.graphiql-response .CodeMirror');
      return pane ? pane.CodeMirror.getValue() : '';
    });
    const result = JSON.parse(shown) as GraphQLAnswer['body'];
    expect(new Set((result.data?.persons as Array<{ memberState: string }>).map((p) => p.memberState))).toEqual(holders);
    expect(result.errors?.some((e) => e.extensions?.code === 'NOT_RELEASED' && e.message.includes('documents is FULL-tier'))).toBe(true);

    mkdirSync(fileURLToPath(new URL('../test-results/', import.meta.url)), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    console.log(`explorer-e2e: screenshot ${SCREENSHOT}`);

    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    const elsewhere = requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));
    expect(elsewhere).toEqual([]);
    expect(requested.some((url) => url.startsWith(`${origin}/explorer/personas.json`))).toBe(true);
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await context.close();
  });
});
