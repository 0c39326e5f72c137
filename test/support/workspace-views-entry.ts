/**
 * Browser entry for test/workspace-views-browser.test.ts: the workspace's timeline, route map and
 * link graph bundled alone (esbuild, IIFE), exposed as window.HagueViews, and a page script that
 * mounts them with the model the test serves at ./model.json.
 */
import * as graph from '../../gateway/explorer/workspace/views/graph.ts';
import * as map from '../../gateway/explorer/workspace/views/map.ts';
import * as timeline from '../../gateway/explorer/workspace/views/timeline.ts';
import type { WorkspaceModel } from '../../gateway/explorer/workspace/model.ts';

const views = { timeline, map, graph };
(window as unknown as { HagueViews: typeof views }).HagueViews = views;

async function start(): Promise<void> {
  const model = (await (await fetch('./model.json')).json()) as WorkspaceModel;
  for (const name of ['timeline', 'map', 'graph'] as const) {
    const el = document.querySelector<HTMLElement>(`[data-testid="workspace-${name}"]`);
    if (el) views[name].mount(el, model);
  }
  document.body.dataset.ready = 'true';
}
start().catch((error: unknown) => {
  document.body.dataset.error = String(error);
});
