import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { ADMIN_EMAIL, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../harness/chromium.js';

const UI_TIMEOUT_MS = 20_000;

/** GraphiQL 3 edits with CodeMirror 5, which keeps its instance on the wrapper element. */
function editorValue(page: Page, selector: string): Promise<string | undefined> {
  return page.evaluate(
    (s) => (globalThis as any).document.querySelector(`${s} .CodeMirror`)?.CodeMirror?.getValue() as string | undefined,
    selector,
  );
}

/**
 * Like a person: focus the query editor, select everything, type the new operation. GraphiQL
 * parses the editor 100 ms after the last keystroke and picks HTTP or graphql-ws from that
 * parse, so wait for it as a person's reaction time would.
 */
async function typeQuery(page: Page, query: string): Promise<void> {
  await page.locator('.graphiql-query-editor .CodeMirror').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(query);
  await page.waitForFunction(
    (q) =>
      (globalThis as any).document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.documentAST?.loc
        ?.source?.body === q,
    query,
    { timeout: UI_TIMEOUT_MS },
  );
}

async function responseShows(page: Page, text: string): Promise<void> {
  await page.locator('.graphiql-response').filter({ hasText: text }).waitFor({ timeout: UI_TIMEOUT_MS });
}

describe('GraphiQL at GET /graphql', () => {
  let t: TestApp;
  let base: string;
  let token: string;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // Production's default: GraphiQL sends the token of its header editor with its introspection too.
    t = await startTestApp({ GRAPHQL_INTROSPECTION: 'authenticated' });
    base = new URL(t.httpUrl).origin;
    token = await t.login();
    userDataDir = mkdtempSync(path.join(os.tmpdir(), 'plantgraph-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => void requested.push(request.url()));
    page.on('websocket', (socket) => void requested.push(socket.url()));
    page.on('console', (message) => void (message.type() === 'error' && consoleErrors.push(message.text())));
    page.on('pageerror', (error) => void consoleErrors.push(String(error)));
    // GraphiQL persists its header editor under this key; the page's graphql-ws client reads it too.
    await page.addInitScript(
      (headers: string) => (globalThis as any).localStorage.setItem('graphiql:headers', headers),
      JSON.stringify({ Authorization: `Bearer ${token}` }),
    );
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await t?.close();
  });

  it('renders from local assets only, without a single request leaving the machine', async () => {
    const response = await page.goto(`${base}/graphql`);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-type']).toMatch(/text\/html/);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ timeout: UI_TIMEOUT_MS });

    expect(requested.length).toBeGreaterThan(0);
    const external = requested.filter((url) => !['127.0.0.1', 'localhost'].includes(new URL(url).hostname));
    expect(external).toEqual([]);
    expect(requested).toEqual(expect.arrayContaining([expect.stringContaining('/graphiql-assets/graphiql.min.js')]));
    expect(consoleErrors).toEqual([]);
  });

  it('runs a query typed into the editor with the Authorization header from the header editor', async () => {
    await page.getByRole('button', { name: 'Headers', exact: true }).click();
    await page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden)').filter({ hasText: 'Bearer' }).waitFor();
    expect(await editorValue(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)')).toContain(`Bearer ${token}`);
    await typeQuery(page, '{ me { email } }');
    await page.locator('.graphiql-execute-button').click();
    await responseShows(page, ADMIN_EMAIL);
    expect(JSON.parse((await editorValue(page, '.graphiql-response'))!)).toEqual({
      data: { me: { email: ADMIN_EMAIL } },
    });
  });

  it('runs a subscription over graphql-ws and shows the events as they arrive', async () => {
    const pubsub = t.app.get(PubSub);
    const before = pubsub.activeSubscriptions();
    await typeQuery(page, 'subscription { userChanged { kind user { email } } }');
    await page.locator('.graphiql-execute-button').click();
    await waitFor(() => pubsub.activeSubscriptions() === before + 1, {
      timeoutMs: UI_TIMEOUT_MS,
      what: "the page's subscription to start",
    });

    const email = `from-graphiql-${Date.now()}@plantgraph.test`;
    const created = await t.graphql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { email, displayName: 'Seen in GraphiQL' } },
      token,
    );
    expect(created.errors).toBeUndefined();
    await responseShows(page, email);
    expect(JSON.parse((await editorValue(page, '.graphiql-response'))!)).toEqual({
      data: { userChanged: { kind: 'CREATED', user: { email } } },
    });
    await page.screenshot({ path: '/tmp/graphiql.png' });

    const local = requested.filter((url) => url.startsWith('ws://'));
    expect(local).toEqual([`${base.replace(/^http/, 'ws')}/graphql`]);
    expect(consoleErrors).toEqual([]);
  });

  it('serves its assets with 200 and answers 404 for any other name', async () => {
    for (const name of [
      'react.production.min.js',
      'react-dom.production.min.js',
      'graphql-ws.min.js',
      'graphiql.min.js',
      'graphiql.min.css',
    ]) {
      const response = await fetch(`${base}/graphiql-assets/${name}`);
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    for (const name of ['unknown.js', 'constructor', '..%2Fpackage.json', '%2E%2E%2F%2E%2E%2Fpackage.json']) {
      const response = await fetch(`${base}/graphiql-assets/${name}`);
      expect({ name, status: response.status }).toEqual({ name, status: 404 });
    }
  });
});
