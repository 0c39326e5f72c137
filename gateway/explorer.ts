import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { explorerExamples } from './explorer/examples.ts';
import { workspaceBundle } from './explorer/workspace-build.ts';
import { fromPackageRoot } from '../common/package-root.ts';

/**
 * The analysts' explorer: GraphiQL served by the gateway itself, from the project's own
 * node_modules, so it works inside closed networks. No request leaves the machine: no CDN, no
 * web fonts (GraphiQL's CSS inlines its fonts as data: URLs), no telemetry; the CSP below makes
 * the browser enforce that too.
 *
 * Why GraphiQL 4 and not 5: graphiql 4 ships a UMD build that runs with React 18's UMD files as
 * plain <script>s; graphiql 5 is ESM with Monaco and needs a bundler (and its web workers).
 *
 * Beside GraphiQL, the analyst's results workspace (gateway/explorer/workspace/, TypeScript) is one
 * more script and stylesheet, bundled by esbuild (gateway/explorer/workspace-build.ts) and served
 * like every other asset: content-hashed URL, same CSP.
 */

export interface ExplorerPersona {
  id: string;
  label: string;
  state: string;
  roles: string[];
  clearance: string;
  scopes: string[];
  token: string;
}

export interface ExplorerOptions {
  /** GraphQL endpoint path the page posts to, default '/graphql'. */
  endpoint?: string;
  /** The network's purposes, for the purpose picker. */
  purposes: readonly string[];
  /** Dev mode only: personas the picker offers, each with a ready token minted by the dev identity providers. Absent in production: then the page shows a token field only. */
  personas?: () => Promise<ExplorerPersona[]>;
  /** Member states of the network (codes + names), to show in the UI. */
  members: Array<{ code: string; name: string }>;
}

/**
 * Only 'self': scripts are files (no inline script, no eval: GraphiQL 4's UMD build and React's
 * production UMD need neither), requests go to this origin only. Inline styles stay allowed
 * because React and GraphiQL's panes set style attributes; fonts and icons are data: URLs
 * inside graphiql.min.css.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': EXPLORER_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const require = createRequire(import.meta.url);
/** The explorer's own page, script and styles: read from the package, also when the gateway runs from dist/. */
const OWN = fromPackageRoot('gateway', 'explorer');

/** Where a package lives: graphiql's `exports` do not list its UMD files, so resolve package.json. */
function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Every file the page may load, by the name it has under /explorer/assets/. Nothing else is served. */
function assetFiles(): Record<string, string> {
  const react = packageDir('react');
  const reactDom = packageDir('react-dom');
  const graphiql = packageDir('graphiql');
  return {
    'react.production.min.js': join(react, 'umd/react.production.min.js'),
    'react-dom.production.min.js': join(reactDom, 'umd/react-dom.production.min.js'),
    'graphiql.min.js': join(graphiql, 'graphiql.min.js'),
    'graphiql.min.css': join(graphiql, 'graphiql.min.css'),
    'explorer.js': join(OWN, 'explorer.js'),
    'explorer.css': join(OWN, 'explorer.css'),
  };
}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  version: string;
}

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/**
 * Read once at start: the files are small enough, and a missing one fails the start, not a page.
 * `built` are assets made at start rather than read as they are (the results workspace's bundle).
 */
function loadAssets(built: Record<string, Buffer>): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const bodies: Array<[string, Buffer]> = [
    ...Object.entries(assetFiles()).map(([name, file]): [string, Buffer] => [name, readFileSync(file)]),
    ...Object.entries(built),
  ];
  for (const [name, body] of bodies) {
    const version = createHash('sha256').update(body).digest('base64url').slice(0, 16);
    const type = TYPES[name.slice(name.lastIndexOf('.') + 1)];
    if (!type) throw new Error(`explorer asset ${name}: unknown content type`);
    assets.set(name, { body, type, etag: `"${version}"`, version });
  }
  return assets;
}

/**
 * The page, with every asset URL carrying its content hash (`?v=`): a changed file is a new URL,
 * so assets can be cached for a year while the page itself is revalidated on every load.
 */
function renderPage(assets: Map<string, Asset>): string {
  const template = readFileSync(join(OWN, 'explorer.html'), 'utf8');
  return template.replace(/\{\{asset ([\w.-]+)\}\}/g, (_, name: string) => {
    const asset = assets.get(name);
    if (!asset) throw new Error(`explorer.html references unknown asset ${name}`);
    return `/explorer/assets/${name}?v=${asset.version}`;
  });
}

const acceptsHtml = (request: FastifyRequest) => String(request.headers.accept ?? '').includes('text/html');

/**
 * The one rule for "a browser visiting the explorer" at the GraphQL endpoint, used both here (serve
 * the page) and by caller-auth.ts (skip authentication). A page visit is a GET of exactly `endpoint`
 * that wants HTML and carries no operation in any form: no query string at all (query, variables,
 * operationName, a persisted-query hash in extensions, or anything else) and no body. Everything
 * else is a GraphQL request for Apollo Server, and is authenticated.
 */
export function isExplorerPageRequest(request: FastifyRequest, endpoint = '/graphql'): boolean {
  if (request.method !== 'GET' || !acceptsHtml(request)) return false;
  const q = request.url.indexOf('?');
  const path = q < 0 ? request.url : request.url.slice(0, q);
  const search = q < 0 ? '' : request.url.slice(q + 1);
  const hasBody = request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0';
  return path === endpoint && search === '' && !hasBody && request.headers['transfer-encoding'] === undefined;
}

/**
 * Adds the explorer's routes: `/` and GET `endpoint` for browsers, `/explorer/assets/*`,
 * `/explorer/config.json`, `/explorer/personas.json` (dev mode). Call it with the gateway's root
 * instance (not inside an encapsulated plugin), before or after Apollo Server's route: its
 * onRequest hook must see GET `endpoint`.
 */
export async function registerExplorer(app: FastifyInstance, options: ExplorerOptions): Promise<void> {
  const endpoint = options.endpoint ?? '/graphql';
  // The results workspace: dist/explorer/ from `npm run build`, or bundled now when that is missing or stale.
  const assets = loadAssets({ ...(await workspaceBundle()) });
  const page = renderPage(assets);
  const devMode = typeof options.personas === 'function';

  const sendPage = (reply: FastifyReply) =>
    reply
      .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' })
      .type('text/html; charset=utf-8')
      .send(page);

  // GET /graphql belongs to Apollo Server (registered before or after us): a route of our own would
  // clash, so a hook answers only the browser's plain visit (isExplorerPageRequest) and lets every
  // GraphQL GET through untouched.
  app.addHook('onRequest', async (request, reply) => {
    if (!isExplorerPageRequest(request, endpoint)) return;
    sendPage(reply);
    return reply;
  });

  // `/` is the explorer for browsers; a script or curl asking for JSON gets directions instead.
  app.get('/', async (request, reply) => {
    if (acceptsHtml(request)) return sendPage(reply);
    return reply.headers({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' }).send({ graphql: endpoint, explorer: 'open / in a browser' });
  });

  app.get<{ Params: { name: string }; Querystring: { v?: string } }>('/explorer/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.code(404).headers(SECURITY_HEADERS).send({ error: 'no such explorer asset' });
    // Only the URL with the current hash is immutable; any other (old page, hand-typed) revalidates.
    const cache = request.query.v === asset.version ? 'public, max-age=31536000, immutable' : 'no-cache';
    reply.headers({ ...SECURITY_HEADERS, 'cache-control': cache, etag: asset.etag }).type(asset.type);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  });

  app.get('/explorer/config.json', async (_request, reply) => {
    reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-store' });
    return {
      endpoint,
      purposes: [...options.purposes],
      members: options.members.map(({ code, name }) => ({ code, name })),
      devMode,
      // Built per request: "the last 90 days" counts from the day the page is opened.
      examples: explorerExamples(new Date()),
    };
  });

  // Tokens: never cached, and only in dev mode (the dev identity providers minted them).
  app.get('/explorer/personas.json', async (_request, reply) => {
    reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-store' });
    if (!options.personas) return reply.code(404).send({ error: 'personas are offered in dev mode only' });
    const personas = await options.personas();
    return personas.map(({ id, label, state, roles, clearance, scopes, token }) => ({ id, label, state, roles, clearance, scopes, token }));
  });
}
