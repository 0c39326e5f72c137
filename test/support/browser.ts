import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { describe, expect } from 'vitest';
import type { GraphQLAnswer } from './network.ts';

/**
 * What the browser tests share: Debian's headless Chromium driven by playwright-core, a page that
 * records what went wrong on it (page errors, console errors, CSP violations) and every URL it asked
 * for, the explorer opened and ready, a saved example picked, the GraphQL answers as they came over
 * the wire, and screenshots kept in test-results/. Outside CI a missing Chromium skips the test file
 * with one line; under CI=true it fails.
 */

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
/** Where the screenshots are kept. */
export const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));

/** `describe`, skipped with a warning when Chromium is missing outside CI. */
export function describeWithChromium(file: string) {
  const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true';
  if (skip) console.warn(`${file}: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium); CI=true makes this a failure`);
  return describe.skipIf(skip);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** Page errors and console errors (and warnings, if asked for). */
  problems: string[];
  /** Every URL the page (or its context) asked for. */
  requested: string[];
  /** The CSP violations the page saw (they are no page errors: the page collects them itself). */
  violations(): Promise<string[]>;
  /** No problem, no CSP violation, and every request to `origin` (or a data: URL, or one starting with one of `alsoAllowed`). */
  expectClean(origin: string, alsoAllowed?: string[]): Promise<void>;
}

/** A new context and page (1280×720 unless told) that records its problems, CSP violations and requests. */
export async function watchPage(
  browser: Browser,
  options: { viewport?: { width: number; height: number }; acceptDownloads?: boolean; warnings?: boolean } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 720 }, acceptDownloads: options.acceptDownloads });
  const problems: string[] = [];
  const requested: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || (options.warnings && message.type() === 'warning')) problems.push(`console ${message.type()}: ${message.text()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const violations = () => page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
  return {
    context,
    page,
    problems,
    requested,
    violations,
    async expectClean(origin: string, alsoAllowed: string[] = []) {
      expect(problems).toEqual([]);
      expect(await violations()).toEqual([]);
      const allowed = [`${origin}/`, 'data:', ...alsoAllowed];
      expect(requested.filter((url) => !allowed.some((start) => url.startsWith(start)))).toEqual([]);
    },
  };
}

/**
 * Opens the explorer at `url` and waits until GraphiQL is drawn (`ready`, default its container)
 * and, with dev personas (`personas`, default true), until the persona list is filled.
 */
export async function openExplorer(page: Page, url: string, options: { ready?: string; personas?: boolean } = {}): Promise<void> {
  await page.goto(url);
  await page.waitForSelector(options.ready ?? '.graphiql-container', { timeout: 30_000 });
  if (options.personas ?? true) await page.waitForFunction(() => document.querySelectorAll('#persona option').length > 1);
}

type CodeMirrorElement = HTMLElement & { CodeMirror: { getValue(): string } };

/** The text of the CodeMirror editor matching `selector` (CodeMirror renders only its visible lines). */
export function editorText(page: Page, selector: string): Promise<string> {
  return page.evaluate((selector) => {
    const editor = document.querySelector<CodeMirrorElement>(selector);
    return editor ? editor.CodeMirror.getValue() : '';
  }, selector);
}

/** The text of the query editor and of the variables editor of the tab shown. */
export function editors(page: Page): Promise<{ query: string; variables: string }> {
  return page.evaluate(() => {
    const value = (selector: string) => {
      const all = Array.from(document.querySelectorAll<CodeMirrorElement>(selector));
      const shown = all.find((e) => !e.closest('.hidden')) ?? all[0];
      return shown ? shown.CodeMirror.getValue() : '';
    };
    return { query: value('.graphiql-query-editor .CodeMirror'), variables: value('.graphiql-editor-tool .CodeMirror') };
  });
}

/** Picks the saved example `id` and waits until the query editor holds `operation` (and, if given, a tool editor holds `variable`). */
export async function pickExample(page: Page, id: string, operation: string, variable?: string): Promise<void> {
  await page.selectOption('#example', id);
  await page.waitForFunction((operation) => document.querySelector('.graphiql-query-editor')?.textContent?.includes(operation), operation);
  if (variable === undefined) return;
  await page.waitForFunction((variable) => {
    const editors = Array.from(document.querySelectorAll<CodeMirrorElement>('.graphiql-editor-tool .CodeMirror'));
    return editors.some((e) => e.CodeMirror.getValue().includes(variable));
  }, variable);
}

export interface SeenAnswer {
  /** The operation's name as sent, or else as written in the query. */
  operationName?: string;
  /** The headers the page sent. */
  headers: Record<string, string>;
  status: number;
  body: GraphQLAnswer['body'];
}

/** Records the answers to the page's GraphQL POSTs as they came over the wire. */
export function recordGraphQLAnswers(page: Page): { all(): Promise<SeenAnswer[]>; answerTo(operationName: string): Promise<SeenAnswer> } {
  const answers: Array<Promise<SeenAnswer>> = [];
  page.on('response', (response: Response) => {
    const request = response.request();
    if (request.method() !== 'POST' || new URL(response.url()).pathname !== '/graphql') return;
    const sent = request.postDataJSON() as { operationName?: string; query?: string } | null;
    const operationName = sent?.operationName ?? /query\s+(\w+)/.exec(sent?.query ?? '')?.[1];
    const seen = (async () => ({
      operationName,
      headers: await request.allHeaders(),
      status: response.status(),
      body: (await response.json()) as GraphQLAnswer['body'],
    }))();
    // An answer still being read when the test closes the page is no answer it waited for: not an unhandled rejection.
    seen.catch(() => undefined);
    answers.push(seen);
  });
  const all = () => Promise.all(answers);
  return {
    all,
    /** The last answer to `operationName`, waited for. */
    async answerTo(operationName: string) {
      await expect.poll(async () => (await all()).some((a) => a.operationName === operationName), { timeout: 20_000 }).toBe(true);
      return (await all()).filter((a) => a.operationName === operationName).at(-1)!;
    },
  };
}

/** Keeps a screenshot of the page as test-results/`name` and says where. */
export async function keepScreenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = `${RESULTS}${name}`;
  await page.screenshot({ path, fullPage: options.fullPage });
  console.log(`screenshot ${path}`);
  return path;
}
