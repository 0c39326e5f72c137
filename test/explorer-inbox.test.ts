import { type Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { describeWithChromium, keepScreenshot, openExplorer, pickExample, watchPage } from './support/browser.ts';
import { useExplorerNetwork } from './support/explorer-network.ts';

/**
 * The duty officer's inbox, end to end: four member states with the seeded demo data and their real
 * release policies (config/policies: NL's notifyOnHits flags its listed persons, fighters and
 * returnees), the gateway with the dev personas, the explorer in headless Chromium. NL's duty
 * officer opens the inbox: empty. A Belgian analyst runs the saved "passport" example, which returns
 * NL's returnee NL-P-000001. The duty officer's inbox then lists that hit: who asked (BE, the
 * analyst), the purpose and case, the record, what NL released. An NL analyst (no role duty) gets
 * NL's NOT_RELEASED instead. The screenshot is kept in test-results/explorer-inbox.png.
 */

const describeChromium = describeWithChromium('explorer-inbox');
const PASSPORT = 'EM482913';

describeChromium("explorer inbox: NL's duty officer sees a Belgian analyst's hit on NL's returnee", () => {
  const live = useExplorerNetwork();

  /** Picks a persona and opens its inbox; resolves once the inbox shows the answer. */
  async function openInbox(page: Page, persona: string): Promise<string> {
    // Closed first, so that the answer waited for is the new persona's (an open inbox reloads itself).
    if (await page.isVisible('#inbox')) await page.click('#inbox-button');
    await page.selectOption('#persona', persona);
    await page.click('#inbox-button');
    await page.waitForFunction(() => {
      const state = document.getElementById('inbox')?.dataset.state;
      return state !== undefined && state !== 'loading';
    });
    return (await page.getAttribute('#inbox', 'data-state')) ?? '';
  }

  it('lists who asked, the purpose, the case and the record; NOT_RELEASED for a non-duty persona', async () => {
    const { net, browser } = live;
    const origin = new URL(net.url).origin;
    const watched = await watchPage(browser, { viewport: { width: 1600, height: 1000 } });
    const { page } = watched;
    await openExplorer(page, `${origin}/`);
    expect((await page.textContent('#persona option[value="NL-duty"]'))?.trim()).toBe('NL duty officer · SECRET');
    expect(await page.locator('#persona option[value="BE-duty"]').count()).toBe(0);
    await page.selectOption('#purpose', 'counter-terrorism');

    // Before any partner asked: a clear empty inbox.
    expect(await openInbox(page, 'NL-duty')).toBe('empty');
    expect(await page.textContent('#inbox')).toContain('No hits');

    // A Belgian analyst runs the passport example: NL's returnee is among the records.
    await page.selectOption('#persona', 'BE-analyst');
    await page.fill('#case', 'BE-INBOX-2026/7');
    await pickExample(page, 'passport', 'PassportDossier', PASSPORT);
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => (document.getElementById('workspace')?.dataset.states ?? '').includes('NL'), undefined, { timeout: 20_000 });

    // NL's duty officer: the hit, with who asked, for what, on which record.
    expect(await openInbox(page, 'NL-duty')).toBe('loaded');
    const rows = page.locator('#inbox tr[data-record]');
    expect(await rows.count()).toBe(1);
    const row = rows.first();
    expect(await row.getAttribute('data-record')).toBe('NL-P-000001');
    expect(await row.getAttribute('data-caller-state')).toBe('BE');
    const text = (await row.textContent()) ?? '';
    for (const expected of ['Person NL-P-000001', 'BE Belgium', 'demo-be-analyst', 'counter-terrorism', 'BE-INBOX-2026/7', 'Person.documents']) {
      expect(text, expected).toContain(expected);
    }
    await keepScreenshot(page, 'explorer-inbox.png', { fullPage: true });

    // Through the gateway, the same notification the page shows.
    const duty = await net.as({ state: 'NL', roles: ['duty'], clearance: 'SECRET', subject: 'nl-duty-check' });
    const answer = await fetch(net.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...duty },
      body: JSON.stringify({ query: '{ hitNotifications { record callerState callerSubject purpose caseReference } }' }),
    });
    expect(await answer.json()).toEqual({
      data: {
        hitNotifications: [
          { record: 'NL-P-000001', callerState: 'BE', callerSubject: 'demo-be-analyst', purpose: 'counter-terrorism', caseReference: 'BE-INBOX-2026/7' },
        ],
      },
    });

    // An NL analyst is not a duty officer: NL refuses, the page says so.
    expect(await openInbox(page, 'NL-analyst')).toBe('not-released');
    const refused = (await page.textContent('#inbox')) ?? '';
    expect(refused).toContain('NOT_RELEASED');
    expect(refused).toContain('NL Netherlands');
    expect(refused).toContain('duty officers (role duty)');
    expect(await page.locator('#inbox tr[data-record]').count()).toBe(0);

    await watched.expectClean(origin);
    await watched.context.close();
  });
});
