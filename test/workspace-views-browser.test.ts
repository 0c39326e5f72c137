import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EXPLORER_CSP } from '../gateway/explorer.ts';
import type { Movement } from '../gateway/explorer/workspace/model.ts';
import { PASSPORT_TIMELINE_KINDS, fixtureModel, model, subject } from './support/workspace-models.ts';
import { RESULTS, describeWithChromium, launchChromium, watchPage, type WatchedPage } from './support/browser.ts';

/**
 * The workspace's timeline, route map and link graph drawn in Debian's headless Chromium at 1280×720,
 * under the explorer's own CSP: the three views bundled alone with esbuild (one IIFE, as the gateway
 * serves the workspace), mounted with the model readAnswer makes of a real answer (test/fixtures:
 * passport EM482913 asked of `hague dev` by a BE and by a DE analyst). Screenshots: test-results/workspace-views-*.png.
 */

const describeChromium = describeWithChromium('workspace-views-browser');

/** esbuild as the gateway gets it: the one tsx depends on (tsx is a dependency). */
const require = createRequire(import.meta.url);
const { build } = createRequire(require.resolve('tsx/package.json'))('esbuild') as typeof Esbuild;

const ENTRY = fileURLToPath(new URL('./support/workspace-views-entry.ts', import.meta.url));
/** The workspace's model of a real answer, read by the workspace's own reader (test/fixtures/README.md says how it was captured). */
const modelOf = (fixture: string) => JSON.stringify(fixtureModel(fixture));
const MODEL = modelOf('subject-EM482913-BE.answer.json');
/** The same subject asked by a DE analyst: NL, BE and FR release only SUMMARY-tier fields to DE (no travel, money, listings, links). */
const SUMMARY_MODEL = modelOf('subject-EM482913-DE.answer.json');
const EMPTY_MODEL = JSON.stringify(model());

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>workspace views</title><link rel="icon" href="data:,"><script src="views.js" defer></script></head>
<body style="margin:0;font-family:system-ui,sans-serif">
<div data-testid="workspace-timeline" style="width:1240px;margin:8px"></div>
<div data-testid="workspace-map" style="width:1240px;margin:8px"></div>
<div data-testid="workspace-graph" style="width:1240px;margin:8px"></div>
</body></html>`;

/** The control: the same page with an inline script, which the CSP must refuse (proves the violation listener hears). */
const CONTROL = PAGE.replace('</body>', '<script>document.body.dataset.inline = "ran"</script></body>');

interface Served {
  app: FastifyInstance;
  origin: string;
  bundleBytes: number;
}

async function serve(): Promise<Served> {
  const bundle = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].contents;
  const app = Fastify({ logger: false });
  const headers = { 'content-security-policy': EXPLORER_CSP, 'x-content-type-options': 'nosniff' };
  for (const [dir, model] of [
    ['answer', MODEL],
    ['empty', EMPTY_MODEL],
    ['summary', SUMMARY_MODEL],
  ] as const) {
    app.get(`/${dir}/`, async (_request, reply) => reply.headers(headers).type('text/html; charset=utf-8').send(PAGE));
    app.get(`/${dir}/control`, async (_request, reply) => reply.headers(headers).type('text/html; charset=utf-8').send(CONTROL));
    app.get(`/${dir}/views.js`, async (_request, reply) => reply.headers(headers).type('text/javascript; charset=utf-8').send(Buffer.from(script)));
    app.get(`/${dir}/model.json`, async (_request, reply) => reply.headers(headers).type('application/json').send(model));
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { app, origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, bundleBytes: script.byteLength };
}

/**
 * A 1280×720 page at `url` that records console errors and warnings, page errors, every request and
 * every CSP violation; resolves once the views are mounted, and fails if mounting them failed.
 */
async function open(browser: Browser, url: string): Promise<WatchedPage> {
  const watched = await watchPage(browser, { warnings: true });
  await watched.page.goto(url);
  await watched.page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.error !== undefined);
  expect(await watched.page.evaluate(() => document.body.dataset.error)).toBeUndefined();
  return watched;
}

describeChromium('workspace timeline, route map and link graph in headless Chromium under the explorer CSP', () => {
  let served: Served;
  let browser: Browser;

  beforeAll(async () => {
    served = await serve();
    browser = await launchChromium();
    mkdirSync(RESULTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await served?.app.close();
  });

  it('draws the passport subject: countries and legs in order, the planned trip marked, the organisation with its kind; no CSP violation', async () => {
    const { origin } = served;
    const watched = await open(browser, `${origin}/answer/`);
    const { page } = watched;
    console.log(`workspace-views-browser: the three views bundled: ${served.bundleBytes} bytes (minified IIFE, world-atlas included)`);

    // Route map: the world's countries as paths, the legs in time order, the planned one dashed.
    const map = page.locator('[data-testid="workspace-map"]');
    expect(await map.locator('section[role="region"]').getAttribute('aria-label')).toBe(
      'Route map: 6 travel leg(s) in time order, 1 planned, between 7 place(s); the list follows',
    );
    expect(await map.locator('section').getAttribute('tabindex')).toBe('0');
    const countryPaths = await map.locator('path.hague-map-country').evaluateAll((paths) => paths.map((p) => p.getAttribute('d') ?? ''));
    expect(countryPaths.length).toBe(177);
    expect(countryPaths.filter((d) => d.length > 20).length).toBeGreaterThan(150);
    const legs = await map.locator('g.hague-map-leg').evaluateAll((gs) =>
      gs.map((g) => ({
        leg: g.getAttribute('data-leg'),
        route: `${g.getAttribute('data-from')}→${g.getAttribute('data-to')}`,
        planned: g.getAttribute('data-planned'),
        dash: g.querySelector('path')?.getAttribute('stroke-dasharray') ?? null,
        arrow: g.querySelector('path')?.getAttribute('marker-end') ?? '',
        length: g.querySelector<SVGPathElement>('path')?.getTotalLength() ?? 0,
      })),
    );
    expect(legs.map((l) => `${l.leg} ${l.route}`)).toEqual([
      '1 Brussels→Istanbul',
      '2 Istanbul→Gaziantep',
      '3 Gaziantep→Kilis',
      '4 Izmir→Athens',
      '5 Athens→Amsterdam',
      '6 Amsterdam→Istanbul',
    ]);
    expect(legs.map((l) => [l.planned, l.dash])).toEqual([...Array(5).fill(['false', null]), ['true', '6 4']]);
    expect(legs.every((l) => /^url\(#hague-map-arrow-\d+-0\)$/.test(l.arrow) && l.length > 5)).toBe(true);
    const places = await map.locator('g.hague-map-place').evaluateAll((gs) => gs.map((g) => g.textContent));
    expect(places.sort()).toEqual(['Amsterdam', 'Athens', 'Brussels', 'Gaziantep', 'Istanbul', 'Izmir', 'Kilis']);
    // Every city inside the drawing.
    const inside = await map.locator('g.hague-map-place circle').evaluateAll((circles) => {
      const svg = (circles[0] as SVGCircleElement).ownerSVGElement!.getBoundingClientRect();
      return circles.every((c) => {
        const r = c.getBoundingClientRect();
        return r.left >= svg.left && r.right <= svg.right && r.top >= svg.top && r.bottom <= svg.bottom;
      });
    });
    expect(inside).toBe(true);
    const mapRows = await map.locator('table tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
    expect(mapRows[2]).toEqual(['3', '2026-04-01 15:00 UTC', 'Gaziantep (TR)', 'Kilis (TR)', 'ROAD', 'FR FR-P-000001 H2 B3']);
    expect(mapRows[5][4]).toBe('AIR Pegasus Airlines PC1252 (planned)');

    // Timeline: twelve items on one axis, the booked trip drawn hollow and dashed, labelled with its source.
    const timeline = page.locator('[data-testid="workspace-timeline"]');
    expect(await timeline.locator('.hague-timeline-axis .tick').count()).toBeGreaterThan(3);
    const items = await timeline.locator('g.hague-timeline-item').evaluateAll((gs) =>
      gs.map((g) => ({
        kind: g.getAttribute('data-kind'),
        planned: g.getAttribute('data-planned'),
        source: g.getAttribute('data-source'),
        text: g.textContent,
      })),
    );
    expect(items.map((i) => i.kind)).toEqual(PASSPORT_TIMELINE_KINDS);
    expect(items.every((i) => /^(NL|BE|FR) (NL|BE|FR)-P-000001 H[0-3] [A-DX][1-4]$/.test(i.source ?? ''))).toBe(true);
    expect(items.filter((i) => i.planned === 'true').map((i) => i.text)).toEqual([
      expect.stringContaining('Amsterdam (NL) → Istanbul (TR), AIR Pegasus Airlines PC1252 (planned) · NL NL-P-000001 H1 B2'),
    ]);
    const plannedMarker = timeline.locator('g.hague-timeline-planned circle');
    expect(await plannedMarker.getAttribute('stroke-dasharray')).toBe('2 2');
    expect(await plannedMarker.getAttribute('fill')).toBe('#ffffff');
    expect(await timeline.locator('g.hague-timeline-item:not(.hague-timeline-planned) circle[stroke-dasharray]').count()).toBe(0);
    const timelineRows = await timeline.locator('table tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
    expect(timelineRows.at(-1)?.slice(0, 2)).toEqual(['2026-12-17 11:15 UTC', 'Travel (planned)']);
    expect(timelineRows.find((r) => r[1] === 'Money')).toEqual(['2026-10-21', 'Money', 'ASSET_FREEZE 6,120 EUR at ABN AMRO Bank N.V.', 'NL NL-P-000001 H0 A1']);

    // Link graph: cytoscape drew the subject, its three records and the three states' records of the terrorist group.
    const graph = page.locator('[data-testid="workspace-graph"]');
    const canvas = graph.locator('.hague-graph-canvas');
    expect(await canvas.getAttribute('data-nodes')).toBe('7');
    expect(await canvas.getAttribute('data-edges')).toBe('6');
    const organisations = await graph
      .locator('ul.hague-graph-organisations li')
      .evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-organisation-kind'), li.textContent]));
    expect(organisations).toEqual([
      ['TERRORIST', 'Katibat al-Muhajirin (Terrorist organisation, record of NL)'],
      ['TERRORIST', 'Katibat al-Mouhajirine (Terrorist organisation, record of BE)'],
      ['TERRORIST', 'Katibat el-Mouhajirine (Terrorist organisation, record of FR)'],
    ]);
    expect(await graph.locator('.hague-graph-legend [data-organisation-kind="TERRORIST"]').textContent()).toBe('Terrorist organisation (3)');
    expect(await graph.locator('.hague-graph-legend [data-organisation-kind="ORGANISED_CRIME"]').textContent()).toBe('Organised-crime group (0)');
    const edgeRows = await graph.locator('table tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
    expect(edgeRows).toContainEqual([
      'Record NL NL-P-000001, Abdelkarim Belhawari',
      'recruiter, since 2024-06-29',
      'Katibat al-Muhajirin (Terrorist organisation, record of NL)',
      'NL NL-P-000001 H3 C3',
    ]);
    // The canvases hold a drawing: coloured pixels (the red hexagons among them).
    const pixels = await canvas.evaluate((el) => {
      let painted = 0;
      let red = 0;
      for (const c of Array.from(el.querySelectorAll('canvas'))) {
        const context = c.getContext('2d');
        if (!context || c.width === 0 || c.height === 0) continue;
        const data = context.getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3] > 0) painted++;
          if (data[i + 3] > 200 && data[i] > 180 && data[i + 1] < 80 && data[i + 2] < 80) red++;
        }
      }
      return { painted, red };
    });
    expect(pixels.painted).toBeGreaterThan(1000);
    expect(pixels.red).toBeGreaterThan(100);

    // Keyboard: each view is reachable with Tab, in order.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-view'))).toBe('timeline');
    const zoom = Number(await canvas.getAttribute('data-zoom'));
    const [panX, panY] = (await canvas.getAttribute('data-pan'))!.split(',').map(Number);
    await graph.locator('section[data-view="graph"]').focus();
    await page.keyboard.press('+');
    expect(Number(await canvas.getAttribute('data-zoom'))).toBeCloseTo(zoom * 1.2, 2);
    await page.keyboard.press('ArrowDown');
    expect((await canvas.getAttribute('data-pan'))!.split(',').map(Number)[1]).toBeLessThan(panY - 30);
    await page.keyboard.press('0');
    expect(Number(await canvas.getAttribute('data-zoom'))).toBeCloseTo(zoom, 2);
    expect(Math.abs(Number((await canvas.getAttribute('data-pan'))!.split(',')[0]) - panX)).toBeLessThan(2);

    for (const name of ['timeline', 'map', 'graph']) {
      await page.locator(`[data-testid="workspace-${name}"]`).screenshot({ path: `${RESULTS}workspace-views-${name}.png` });
    }
    console.log(`workspace-views-browser: screenshots ${RESULTS}workspace-views-{timeline,map,graph}.png`);

    await watched.expectClean(origin);
    expect(
      watched.requested
        .filter((url) => url.startsWith(origin))
        .map((url) => new URL(url).pathname)
        .sort(),
    ).toEqual(['/answer/', '/answer/model.json', '/answer/views.js']);
    await watched.context.close();
  });

  it('says so when the answer holds nothing for a view, and unmounts cleanly', async () => {
    const watched = await open(browser, `${served.origin}/empty/`);
    const { page } = watched;
    const texts = await page.evaluate(() =>
      ['timeline', 'map', 'graph'].map((name) => {
        const region = document.querySelector(`[data-testid="workspace-${name}"] section`);
        return [region?.getAttribute('data-empty'), region?.getAttribute('tabindex'), region?.getAttribute('aria-label'), region?.textContent];
      }),
    );
    expect(texts).toEqual([
      ['true', '0', 'No travel, financial measures or listings in this answer.', 'No travel, financial measures or listings in this answer.'],
      ['true', '0', 'No travel in this answer.', 'No travel in this answer.'],
      ['true', '0', 'No persons or organisations in this answer.', 'No persons or organisations in this answer.'],
    ]);
    expect(await page.locator('svg, canvas').count()).toBe(0);

    // Mounted with the real model and unmounted: nothing left behind, cytoscape destroyed without errors.
    const left = await page.evaluate(async () => {
      const views = (window as unknown as { HagueViews: Record<string, { mount(el: HTMLElement, model: unknown): () => void }> }).HagueViews;
      const model: unknown = await (await fetch('../answer/model.json')).json();
      const counts: number[] = [];
      for (const name of ['timeline', 'map', 'graph']) {
        const el = document.createElement('div');
        document.body.append(el);
        const unmount = views[name].mount(el, model);
        counts.push(el.querySelectorAll('svg, canvas').length);
        unmount();
        counts.push(el.childNodes.length);
      }
      return counts;
    });
    expect(left).toEqual([1, 0, 1, 0, expect.any(Number), 0]);
    expect(left[4]).toBeGreaterThan(5);

    // The layout is deterministic: the same answer mounted twice is drawn the same, pixel for pixel.
    await page.evaluate(async () => {
      const views = (window as unknown as { HagueViews: Record<string, { mount(el: HTMLElement, model: unknown): () => void }> }).HagueViews;
      const model: unknown = await (await fetch('../answer/model.json')).json();
      for (const id of ['twin-a', 'twin-b']) {
        const el = document.createElement('div');
        el.id = id;
        el.style.width = '900px';
        document.body.append(el);
        views.graph.mount(el, model);
      }
    });
    const painted = () =>
      page.evaluate(() =>
        ['twin-a', 'twin-b'].map((id) =>
          Array.from(document.querySelectorAll<HTMLCanvasElement>(`#${id} canvas`)).reduce((sum, c) => {
            const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
            let n = 0;
            for (let k = 3; k < data.length; k += 4) if (data[k] > 0) n++;
            return sum + n;
          }, 0),
        ),
      );
    // Both drawn (cytoscape paints on the next animation frames), then compared.
    await expect.poll(async () => Math.min(...(await painted()))).toBeGreaterThan(1000);
    const [a, b] = await page.evaluate(() =>
      ['twin-a', 'twin-b'].map((id) => Array.from(document.querySelectorAll<HTMLCanvasElement>(`#${id} canvas`), (c) => c.toDataURL()).join('|')),
    );
    expect(a).toBe(b);
    await watched.expectClean(served.origin);
    await watched.context.close();
  });

  it('draws what a SUMMARY-tier caller gets: no route, no timeline, the weak link of three records and no organisation', async () => {
    const watched = await open(browser, `${served.origin}/summary/`);
    const { page } = watched;
    expect(await page.locator('[data-testid="workspace-map"]').textContent()).toBe('No travel in this answer.');
    expect(await page.locator('[data-testid="workspace-timeline"]').textContent()).toBe('No travel, financial measures or listings in this answer.');
    const graph = page.locator('[data-testid="workspace-graph"]');
    expect(await graph.locator('section').getAttribute('aria-label')).toBe(
      'Link graph: 1 subject(s), 3 record(s), 0 organisation(s), 3 link(s); + and - zoom, arrows pan, 0 fits; the list follows',
    );
    expect(await graph.locator('.hague-graph-canvas').getAttribute('data-nodes')).toBe('4');
    const edgeRows = await graph.locator('table tbody tr').evaluateAll((rows) => rows.map((r) => Array.from(r.children, (c) => c.textContent)));
    expect(edgeRows).toEqual(
      ['NL NL-P-000001, Abdelkarim Belhawari', 'BE BE-P-000001, Abdelkarim Belhaouari', 'FR FR-P-000001, Abdel-Karim Belhaouary'].map((record) => [
        'Subject Abdelkarim Belhawari',
        'linked by NAME_DOB (WEAK)',
        `Record ${record}`,
        'gateway link',
      ]),
    );
    expect(await graph.locator('ul.hague-graph-organisations').count()).toBe(0);
    await graph.screenshot({ path: `${RESULTS}workspace-views-graph-summary-tier.png` });
    await watched.expectClean(served.origin);
    await watched.context.close();
  });

  it('caps the timeline drawing of a large answer (the list keeps every item), marks a city the gazetteer lacks as approximate, colours the route of each subject', async () => {
    const watched = await open(browser, `${served.origin}/empty/`);
    const { page } = watched;
    const source = { memberState: 'FR', recordId: 'FR-P-000009', handling: 'H1' };
    const travel: Movement[] = Array.from({ length: 450 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(),
      from: i % 2 === 0 ? { city: 'Paris', country: 'FR' } : { city: 'Tinytown', country: 'MA' },
      to: i % 2 === 0 ? { city: 'Tinytown', country: 'MA' } : { city: 'Paris', country: 'FR' },
      mode: 'AIR',
      planned: false,
      source,
    }));
    const other = { ...travel[0], at: '2027-01-01T00:00:00Z', from: { city: 'Berlin', country: 'DE' }, to: { city: 'Vienna', country: 'AT' } };
    const large = model(subject('S', { heldBy: ['FR'], travel }), subject('T', { heldBy: ['FR'], travel: [other] }));
    const seen = await page.evaluate((model) => {
      const views = (window as unknown as { HagueViews: Record<string, { mount(el: HTMLElement, model: unknown): () => void }> }).HagueViews;
      const timeline = document.createElement('div');
      const map = document.createElement('div');
      document.body.append(timeline, map);
      views.timeline.mount(timeline, model);
      views.map.mount(map, model);
      return {
        drawn: timeline.querySelectorAll('g.hague-timeline-item').length,
        listed: timeline.querySelectorAll('tbody tr').length,
        capped: timeline.querySelector('.hague-timeline-capped')?.textContent,
        places: Array.from(map.querySelectorAll('g.hague-map-place'), (g) => [g.getAttribute('data-city'), g.getAttribute('data-approximate'), g.textContent]),
        legs: map.querySelectorAll('g.hague-map-leg').length,
        firstRow: Array.from(map.querySelectorAll('tbody tr')[0]?.children ?? [], (c) => c.textContent),
        legend: map.querySelector('.hague-map-legend')?.textContent,
        colours: Array.from(
          new Set(
            Array.from(map.querySelectorAll('g.hague-map-leg'), (g) => `${g.getAttribute('data-subject')} ${g.querySelector('path')?.getAttribute('stroke')}`),
          ),
        ),
      };
    }, large);
    expect(seen).toEqual({
      drawn: 400,
      listed: 451,
      capped: 'The first 400 of 451 items are drawn; the list has them all.',
      places: [
        ['Paris', 'false', 'Paris'],
        ['Tinytown', 'true', 'Tinytown (approx.)'],
        ['Berlin', 'false', 'Berlin'],
        ['Vienna', 'false', 'Vienna'],
      ],
      legs: 451,
      firstRow: ['1', '2026-01-01 00:00 UTC', 'Paris (FR)', 'Tinytown (MA), approximate: country centroid', 'AIR', 'FR FR-P-000009 H1', 'S'],
      legend: 'travelledplannednumbers: order in time(approx.): city unknown to the map, shown at its country’s centreST',
      // Two subjects: each its own colour.
      colours: ['S #cf222e', 'T #0969da'],
    });
    await watched.expectClean(served.origin);
    await watched.context.close();
  });

  it('hears a CSP violation when there is one (control: an inline script is refused)', async () => {
    const watched = await open(browser, `${served.origin}/answer/control`);
    expect(await watched.page.evaluate(() => document.body.dataset.inline)).toBeUndefined();
    expect(await watched.violations()).toEqual([expect.stringMatching(/^script-src-elem inline$/)]);
    expect(watched.problems.some((p) => p.includes('Content Security Policy'))).toBe(true);
    await watched.context.close();
  });
});
