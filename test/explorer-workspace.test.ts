import { mkdirSync, readFileSync } from 'node:fs';
import { type Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { RESULTS, describeWithChromium, editorText, openExplorer, pickExample, watchPage } from './support/browser.ts';
import { useExplorerNetwork } from './support/explorer-network.ts';

/**
 * The results workspace beside GraphiQL, end to end at 1280×720 in Debian's headless Chromium: the
 * live network (NL, BE, FR, DE with the demo data and their release policies), the gateway serving
 * the explorer and the workspace bundle, a BE analyst running the "subject" example. The subject
 * card holds NL's, BE's and FR's records with their handling codes; whom to call has one line per
 * state and field with its count and the contact phone (a DE analyst's run gives the withheld
 * lines); the header shows the per-state counts; export downloads a CSV whose rows carry state,
 * record and handling code. No CSP violation, every request to the gateway's origin.
 * Screenshots: test-results/explorer-workspace-*.png.
 */

const describeChromium = describeWithChromium('explorer-workspace');

async function runSubjectExample(page: Page, persona: string): Promise<void> {
  const before = Number((await page.getAttribute('#workspace', 'data-renders')) ?? 0);
  await pickExample(page, 'subject', 'SubjectAcrossStates', 'EM482913');
  // The example names its persona; the test sets persona and purpose itself so that it does not depend on that.
  await page.selectOption('#persona', persona);
  await page.selectOption('#purpose', 'counter-terrorism');
  await page.click('.graphiql-execute-button');
  await page.waitForFunction((before) => Number(document.getElementById('workspace')?.dataset.renders ?? 0) > before, before, { timeout: 30_000 });
}

describeChromium('the results workspace at 1280×720', () => {
  const live = useExplorerNetwork();
  beforeAll(() => mkdirSync(RESULTS, { recursive: true }));

  it('shows the subject across NL, BE and FR, whom to call, the counts and an export, under the CSP, from this origin only', async () => {
    const { net, browser } = live;
    const origin = new URL(net.url).origin;
    const watched = await watchPage(browser, { acceptDownloads: true });
    const { page, requested } = watched;
    await openExplorer(page, `${origin}/`);
    await page.waitForSelector('#workspace [role="tablist"]');

    // Layout: GraphiQL keeps the whole height left of the workspace; the workspace is no strip.
    const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!;
    const graphiql = await box('#graphiql');
    const workspace = await box('#workspace');
    expect(graphiql.height).toBeGreaterThan(720 * 0.8);
    expect(workspace.height).toBeGreaterThan(720 * 0.8);
    expect(graphiql.x + graphiql.width).toBeLessThanOrEqual(workspace.x);
    expect(graphiql.width).toBeGreaterThanOrEqual(640);
    expect(workspace.width).toBeGreaterThanOrEqual(420);

    // The splitter resizes the pane by keyboard too (ArrowLeft widens it), and the width survives a reload.
    await page.focus('#workspace-splitter');
    await page.keyboard.press('ArrowLeft');
    expect((await box('#workspace')).width).toBeCloseTo(workspace.width + 40, 0);
    await page.reload();
    await page.waitForSelector('#workspace [role="tablist"]');
    expect((await box('#workspace')).width).toBeCloseTo(workspace.width + 40, 0);
    await page.focus('#workspace-splitter');
    await page.keyboard.press('ArrowRight');
    expect((await box('#workspace')).width).toBeCloseTo(workspace.width, 0);

    await runSubjectExample(page, 'BE-analyst');

    // The answer pane starts with data; the errors (if any) come after it.
    const shown = await editorText(page, '.graphiql-response .CodeMirror');
    expect(shown).toMatch(/^\{\s*"data": \{\s*"subjects"/);
    const answer = JSON.parse(shown) as { data: { subjects: Array<{ heldBy: string[]; travel: Array<{ source: { handling: { code: string } | null } }> }> } };
    expect(answer.data.subjects[0].heldBy).toEqual(['NL', 'BE', 'FR']);

    // The subject card: one card, NL's, BE's and FR's records side by side, each with handling codes.
    const card = page.locator('[data-testid="workspace-subjects"] [data-testid="subject-card"]');
    expect(await card.count()).toBe(1);
    expect(await card.getAttribute('data-held-by')).toBe('NL,BE,FR');
    const records = card.locator('[data-testid="record"]');
    expect(await records.evaluateAll((els) => els.map((e) => e.getAttribute('data-member-state')))).toEqual(['NL', 'BE', 'FR']);
    const tops = await records.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(new Set(tops).size, 'records side by side').toBe(1);
    for (const state of ['NL', 'BE', 'FR']) {
      const record = card.locator(`[data-testid="record"][data-member-state="${state}"]`);
      const codes = `${await record.getAttribute('data-handling')},${await record.getAttribute('data-fact-handling')}`;
      expect(codes, state).toMatch(/H[0-3]/);
    }
    // Every travel leg labelled with its source state and handling code, as the answer gave them.
    const legs = card.locator('table .ws-source');
    const handling = answer.data.subjects[0].travel.map((t) => t.source.handling?.code ?? '');
    expect(await legs.count()).toBeGreaterThanOrEqual(handling.length);
    const shownHandling = await legs.evaluateAll((els) => els.map((e) => e.getAttribute('data-handling')));
    expect(shownHandling.slice(0, handling.length)).toEqual(handling);
    expect(await card.locator('[data-testid="subject-alerts"] li').count()).toBeGreaterThan(0);

    // Per-state counts in the header, as extensions.hague.states said.
    const count = (state: string) => page.locator(`[data-testid="workspace-count"][data-member-state="${state}"]`);
    for (const state of ['NL', 'BE', 'FR']) expect(await count(state).getAttribute('data-returned'), state).toBe('1');
    expect(await count('DE').getAttribute('data-returned')).toBe('0');
    expect(await count('NL').getAttribute('data-more')).toBe('false');
    await page.screenshot({ path: `${RESULTS}explorer-workspace-subjects.png` });

    // Tabs are reachable by keyboard: arrow keys from Subjects to Whom to call.
    await page.focus('#workspace-tab-subjects');
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('workspace-tab-contacts');
    expect(await page.getAttribute('#workspace-tab-contacts', 'aria-selected')).toBe('true');
    const contacts = page.locator('[data-testid="workspace-contacts"]');
    expect(await contacts.isVisible()).toBe(true);
    for (const [state, phone] of [
      ['NL', '+31'],
      ['BE', '+32'],
      ['FR', '+33'],
    ]) {
      const section = contacts.locator(`[data-testid="contact-state"][data-member-state="${state}"]`);
      expect(await section.count(), state).toBe(1);
      expect(await section.locator('[data-testid="contact-point"]').textContent()).toContain(phone);
      const holds = section.locator('[data-testid="contact-line"][data-code="HOLDS_RECORD"]');
      expect(await holds.getAttribute('data-records')).toBe('1');
    }
    await page.screenshot({ path: `${RESULTS}explorer-workspace-contacts-be.png` });

    // Export: a CSV of what is on screen, each fact with its state, record and handling code.
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('#workspace-tab-export', 'aria-selected')).toBe('true');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    expect(download.suggestedFilename()).toMatch(/^hague-.*\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\r\n');
    const header = csv[0].split(',');
    for (const column of ['memberState', 'recordId', 'handling']) expect(header).toContain(column);
    const column = (row: string, name: string) => row.split(',')[header.indexOf(name)];
    const travelRows = csv.slice(1).filter((row) => column(row, 'kind') === 'travel');
    expect(travelRows.length).toBe(answer.data.subjects[0].travel.length);
    for (const row of travelRows) {
      expect(column(row, 'memberState')).toMatch(/^(NL|BE|FR)$/);
      expect(column(row, 'recordId')).toMatch(/^(NL|BE|FR)-P-\d+$/);
      expect(column(row, 'handling')).toMatch(/^H[0-3]$/);
    }
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-json"]')]);
    const exported = JSON.parse(readFileSync(await json.path(), 'utf8')) as { rows: unknown[]; model: { subjects: unknown[] } };
    expect(exported.rows.length).toBe(csv.length - 1);
    expect(exported.model.subjects).toHaveLength(1);

    // A DE analyst: SUMMARY tier from every owner, the withheld fields one line per state and field, counted.
    await runSubjectExample(page, 'DE-analyst');
    await page.click('#workspace-tab-contacts');
    const lines = contacts.locator('[data-testid="contact-line"]');
    const keys = await lines.evaluateAll((els) =>
      els.map((e) => `${e.getAttribute('data-member-state')}|${e.getAttribute('data-field')}|${e.getAttribute('data-code')}`),
    );
    expect(new Set(keys).size, keys.join('\n')).toBe(keys.length);
    for (const state of ['NL', 'BE', 'FR']) {
      const travel = contacts.locator(`[data-testid="contact-line"][data-member-state="${state}"][data-field="Person.travel"]`);
      expect(await travel.count(), state).toBe(1);
      expect(await travel.getAttribute('data-code')).toBe('NOT_RELEASED');
      expect(await travel.getAttribute('data-records')).toBe('1');
      expect(await travel.textContent()).toContain('1 record');
    }
    await page.screenshot({ path: `${RESULTS}explorer-workspace-contacts-de.png` });

    // The Workspace button hides the pane: GraphiQL takes the whole width.
    await page.click('#workspace-button');
    expect(await page.isHidden('#workspace')).toBe(true);
    expect((await box('#graphiql')).width).toBeGreaterThan(1200);
    await page.click('#workspace-button');
    expect(await page.isVisible('#workspace')).toBe(true);

    await watched.expectClean(origin, ['blob:']);
    expect(requested.some((url) => url.startsWith(`${origin}/explorer/assets/workspace.js?v=`))).toBe(true);
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await watched.context.close();
  });
});
