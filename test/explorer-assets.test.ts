import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import fastifyApollo from '@as-integrations/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPLORER_CSP, registerExplorer, type ExplorerPersona } from '../gateway/explorer.ts';
import { explorerExamples } from '../gateway/explorer/examples.ts';
import { buildWorkspace } from '../gateway/explorer/workspace-build.ts';
import { PURPOSES } from '../common/caller.ts';
import { memberTypeDefs } from '../schema/contract.ts';

/**
 * The explorer on a bare fastify app: the page, its JSON, and every asset the page references,
 * all from this process (nothing from a CDN), with strict headers; GraphQL GETs are not swallowed.
 */

const PERSONAS: ExplorerPersona[] = [
  { id: 'nl-analyst', label: 'NL analyst · SECRET', state: 'NL', roles: ['analyst'], clearance: 'SECRET', scopes: ['read:persons'], token: 'token-nl' },
  { id: 'be-officer', label: 'BE officer · RESTRICTED', state: 'BE', roles: ['officer'], clearance: 'RESTRICTED', scopes: [], token: 'token-be' },
];
const OPTIONS = {
  purposes: ['counter-terrorism investigation', 'border check'],
  members: [
    { code: 'NL', name: 'Netherlands' },
    { code: 'BE', name: 'Belgium' },
  ],
};
const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function explorerApp(personas?: () => Promise<ExplorerPersona[]>): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await registerExplorer(app, { ...OPTIONS, personas });
  await app.ready();
  return app;
}

/** src/href attributes of the page, in order. */
function references(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
}

describe('explorer assets', () => {
  let app: FastifyInstance;
  let page: string;
  beforeAll(async () => {
    app = await explorerApp(async () => PERSONAS);
    const response = await app.inject({ method: 'GET', url: '/', headers: { accept: HTML } });
    expect(response.statusCode).toBe(200);
    page = response.body;
  });
  afterAll(() => app?.close());

  it('serves the page at / with strict headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/', headers: { accept: HTML } });
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(EXPLORER_CSP);
    expect(EXPLORER_CSP).toContain("default-src 'none'");
    expect(EXPLORER_CSP).toContain("script-src 'self'");
    expect(EXPLORER_CSP).not.toContain('unsafe-eval');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-cache');
    for (const id of ['persona', 'token', 'purpose', 'case', 'example', 'workspace', 'workspace-button', 'workspace-splitter', 'graphiql'])
      expect(page).toContain(`id="${id}"`);
  });

  it('serves the page on GET /graphql for browsers only', async () => {
    const browser = await app.inject({ method: 'GET', url: '/graphql', headers: { accept: HTML } });
    expect(browser.statusCode).toBe(200);
    expect(browser.body).toBe(page);
    expect(browser.headers['content-security-policy']).toBe(EXPLORER_CSP);
    // Everything else is Apollo Server's: here, on a bare app, a 404.
    for (const request of [
      { url: '/graphql', headers: { accept: 'application/json' } },
      { url: '/graphql?query=%7B__typename%7D', headers: { accept: HTML } },
      { url: '/graphql?extensions=%7B%7D', headers: { accept: HTML } },
      { url: '/graphql', headers: {} },
    ]) {
      const response = await app.inject({ method: 'GET', ...request });
      expect(response.statusCode, request.url).toBe(404);
    }
    const post = await app.inject({ method: 'POST', url: '/graphql', headers: { accept: HTML, 'content-type': 'application/json' }, payload: '{}' });
    expect(post.statusCode).toBe(404);
  });

  it('answers a non-browser GET / with directions', async () => {
    const response = await app.inject({ method: 'GET', url: '/', headers: { accept: 'application/json' } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ graphql: '/graphql', explorer: 'open / in a browser' });
  });

  it('serves every asset the page references, from this origin, cached by content hash', async () => {
    const refs = references(page);
    const assets = refs.filter((ref) => ref.startsWith('/explorer/assets/'));
    expect(assets.map((ref) => ref.split('?')[0]).sort()).toEqual([
      '/explorer/assets/explorer.css',
      '/explorer/assets/explorer.js',
      '/explorer/assets/graphiql.min.css',
      '/explorer/assets/graphiql.min.js',
      '/explorer/assets/react-dom.production.min.js',
      '/explorer/assets/react.production.min.js',
      '/explorer/assets/workspace.css',
      '/explorer/assets/workspace.js',
    ]);
    // Nothing else but the empty data: favicon (which keeps the browser from asking for one).
    expect(refs.filter((ref) => !ref.startsWith('/explorer/assets/'))).toEqual(['data:,']);
    for (const ref of assets) {
      const response = await app.inject({ method: 'GET', url: ref });
      expect(response.statusCode, ref).toBe(200);
      expect(response.headers['content-type'], ref).toBe(ref.includes('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(response.body.length, ref).toBeGreaterThan(500);
      const etag = String(response.headers.etag);
      const again = await app.inject({ method: 'GET', url: ref, headers: { 'if-none-match': etag } });
      expect(again.statusCode).toBe(304);
    }
    const stale = await app.inject({ method: 'GET', url: '/explorer/assets/explorer.js?v=old' });
    expect(stale.headers['cache-control']).toBe('no-cache');
    for (const url of ['/explorer/assets/package.json', '/explorer/assets/..%2F..%2Fpackage.json', '/explorer/assets/graphiql.min.js.map']) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  it('serves the results workspace as one bundled script and stylesheet, with the CSP and a content hash', async () => {
    for (const name of ['workspace.js', 'workspace.css']) {
      const ref = references(page).find((r) => r.startsWith(`/explorer/assets/${name}?v=`));
      expect(ref, name).toBeDefined();
      const response = await app.inject({ method: 'GET', url: ref! });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-security-policy']).toBe(EXPLORER_CSP);
      expect(response.headers['cross-origin-resource-policy']).toBe('same-origin');
      // The ?v= of the page is the hash of exactly the bytes served: a changed bundle is a new URL.
      const hash = createHash('sha256').update(response.rawPayload).digest('base64url').slice(0, 16);
      expect(ref).toBe(`/explorer/assets/${name}?v=${hash}`);
      expect(response.headers.etag).toBe(`"${hash}"`);
    }
    const script = (await app.inject({ method: 'GET', url: references(page).find((r) => r.startsWith('/explorer/assets/workspace.js'))! })).body;
    // One IIFE that defines the global explorer.js calls, no module loader, nothing the CSP forbids.
    expect(script).toMatch(/^"use strict";var HagueWorkspace=|^var HagueWorkspace=/);
    expect(script).not.toMatch(/\beval\(|new Function\(|new Worker\(|importScripts\(/);
    const styles = (await app.inject({ method: 'GET', url: references(page).find((r) => r.startsWith('/explorer/assets/workspace.css'))! })).body;
    expect(styles).toContain('.ws-tab');
    // What is served is what esbuild makes of the sources now (from dist/explorer/ when `npm run build` is fresh, else bundled at start).
    expect(Buffer.from(script)).toEqual((await buildWorkspace(false))['workspace.js']);
    // The workspace comes before explorer.js, which calls it.
    const scripts = references(page).filter((r) => r.endsWith('.js') || r.includes('.js?'));
    expect(scripts.findIndex((r) => r.includes('workspace.js'))).toBeLessThan(scripts.findIndex((r) => r.includes('explorer.js')));
  });

  it('names no other host in the files we wrote', () => {
    const workspace = ['index.ts', 'read-answer.ts', 'dom.ts', 'subjects-view.ts', 'contacts-view.ts', 'export.ts', 'workspace.css'].map((f) =>
      readFileSync(new URL(`../gateway/explorer/workspace/${f}`, import.meta.url), 'utf8'),
    );
    const own = [
      ...['explorer.html', 'explorer.js', 'explorer.css'].map((f) => readFileSync(new URL(`../gateway/explorer/${f}`, import.meta.url), 'utf8')),
      ...workspace,
    ];
    for (const text of [page, ...own]) {
      const urls = text.match(/\b(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}[^\s"')]*/gi) ?? [];
      expect(urls).toEqual([]);
    }
  });

  it('serves config.json with purposes, members, dev mode and examples', async () => {
    const response = await app.inject({ method: 'GET', url: '/explorer/config.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.headers['cache-control']).toBe('no-store');
    const config = response.json();
    expect(config).toMatchObject({ endpoint: '/graphql', purposes: OPTIONS.purposes, members: OPTIONS.members, devMode: true });
    expect(config.examples.map((e: { id: string }) => e.id)).toEqual([
      'subject',
      'passport',
      'partner-view',
      'istanbul',
      'freeze-evasion',
      'national-list',
      'organisation',
      'hits',
    ]);
    // Each names the caller it is written for, for the picker and the production note.
    for (const example of config.examples)
      expect(example).toMatchObject({ persona: expect.any(String), caller: expect.any(String), shows: expect.any(String) });
  });

  it('serves personas.json in dev mode, never cached', async () => {
    const response = await app.inject({ method: 'GET', url: '/explorer/personas.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.json()).toEqual(PERSONAS);
  });

  it('has no personas and no dev mode without a personas provider', async () => {
    const production = await explorerApp();
    try {
      expect((await production.inject({ method: 'GET', url: '/explorer/personas.json' })).statusCode).toBe(404);
      expect((await production.inject({ method: 'GET', url: '/explorer/config.json' })).json().devMode).toBe(false);
    } finally {
      await production.close();
    }
  });

  it('posts to a configured endpoint', async () => {
    const other = Fastify({ logger: false });
    await registerExplorer(other, { ...OPTIONS, endpoint: '/api/graphql' });
    try {
      expect((await other.inject({ method: 'GET', url: '/api/graphql', headers: { accept: HTML } })).statusCode).toBe(200);
      expect((await other.inject({ method: 'GET', url: '/graphql', headers: { accept: HTML } })).statusCode).toBe(404);
      expect((await other.inject({ method: 'GET', url: '/explorer/config.json' })).json().endpoint).toBe('/api/graphql');
    } finally {
      await other.close();
    }
  });
});

describe('explorer beside Apollo Server', () => {
  // The gateway registers Apollo's /graphql route; the explorer must work in either order and
  // leave every GraphQL request (POST, GET with a query, GET asking for JSON) to Apollo.
  it.each(['before', 'after'])('registered %s Apollo Server', async (order) => {
    const apollo = new ApolloServer({
      typeDefs: 'type Query { hello: String }',
      resolvers: { Query: { hello: () => 'hi' } },
      plugins: [ApolloServerPluginLandingPageDisabled()],
    });
    await apollo.start();
    const app = Fastify({ logger: false });
    try {
      if (order === 'before') await registerExplorer(app, OPTIONS);
      await app.register(fastifyApollo(apollo));
      if (order === 'after') await registerExplorer(app, OPTIONS);
      const page = await app.inject({ method: 'GET', url: '/graphql', headers: { accept: HTML } });
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body).toContain('id="graphiql"');
      const get = await app.inject({ method: 'GET', url: '/graphql?query=%7Bhello%7D', headers: { accept: HTML, 'apollo-require-preflight': 'true' } });
      expect(get.json()).toEqual({ data: { hello: 'hi' } });
      const post = await app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: { query: '{ hello }' } });
      expect(post.json()).toEqual({ data: { hello: 'hi' } });
      const json = await app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
      expect(json.headers['content-type']).toMatch(/json/); // Apollo's "no query" error, not our page
    } finally {
      await app.close();
      await apollo.stop();
    }
  });
});

describe('explorer examples', () => {
  const schema = buildSubgraphSchema({ typeDefs: memberTypeDefs });
  const examples = explorerExamples(new Date('2026-11-22T12:00:00Z'));

  it.each(examples.map((e) => [e.id, e] as const))('%s parses and validates against the contract', (_id, example) => {
    const document = parse(example.query);
    expect(validate(schema, document)).toEqual([]);
    expect(() => JSON.parse(example.variables)).not.toThrow();
  });

  it('counts "the next 60 days" and "the last 30 days" from today', () => {
    const istanbul = examples.find((e) => e.id === 'istanbul');
    expect(JSON.parse(istanbul!.variables)).toEqual({ from: '2026-11-22', until: '2027-01-21' });
    const hits = examples.find((e) => e.id === 'hits');
    expect(JSON.parse(hits!.variables)).toEqual({ since: '2026-10-23T00:00:00Z' });
  });

  it.each(examples.map((e) => [e.id, e] as const))('%s names its persona, purpose and what it shows, in its header comment too', (_id, example) => {
    expect(example.persona).toMatch(/^[A-Z]{2}-[a-z]+$/);
    expect(PURPOSES).toContain(example.purpose);
    expect(example.shows.length).toBeGreaterThan(20);
    const header = example.query.slice(0, example.query.search(/^query /m)).replace(/\n# ?/g, ' ');
    expect(header).toContain(`Written for: ${example.caller}, purpose ${example.purpose} (dev persona ${example.persona}`);
    expect(header).toContain('You will see:');
  });
});
