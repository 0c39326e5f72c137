import { expect, it } from 'vitest';
import { type GraphQLAnswer } from './support/network.ts';
import { describeWithChromium, editorText, keepScreenshot, openExplorer, pickExample, recordGraphQLAnswers, watchPage } from './support/browser.ts';
import { useExplorerNetwork } from './support/explorer-network.ts';

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

describeChromium('explorer end to end: a DE analyst asks the live network about a passport', () => {
  const live = useExplorerNetwork();

  it("shows records of NL, BE and FR and NL's NOT_RELEASED documents", async () => {
    const { net, browser } = live;
    const origin = new URL(net.url).origin;
    const watched = await watchPage(browser, { viewport: { width: 1600, height: 1000 } });
    const { page, requested } = watched;
    // The GraphQL answers as they came over the wire, with the headers the page sent.
    const answers = recordGraphQLAnswers(page);
    await openExplorer(page, `${origin}/`);

    // The example opens as the persona it is written for (a BE analyst); the analyst then switches to DE.
    await pickExample(page, 'passport', 'PassportDossier', PASSPORT);
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
    const all = await answers.all();
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
    const shown = await editorText(page, '.graphiql-response .CodeMirror');
    const result = JSON.parse(shown) as GraphQLAnswer['body'];
    expect(new Set((result.data?.persons as Array<{ memberState: string }>).map((p) => p.memberState))).toEqual(holders);
    expect(result.errors?.some((e) => e.extensions?.code === 'NOT_RELEASED' && e.message.includes('documents is FULL-tier'))).toBe(true);

    await keepScreenshot(page, 'explorer-e2e.png', { fullPage: true });

    await watched.expectClean(origin);
    expect(requested.some((url) => url.startsWith(`${origin}/explorer/personas.json`))).toBe(true);
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await watched.context.close();
  });
});
