import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTs, type Started } from '../support/process.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const DEMO_TOKEN = 'cst_browser-test-demo-token';
const SCREENSHOTS = path.resolve('artifacts');

describe('GraphiQL in a real browser', () => {
  let dataDir: string;
  let server: Started;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    dataDir = await mkdtemp(path.join(tmpdir(), 'cs-browser-'));
    server = startTs('src/main.ts', { DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', DEMO_TOKEN });
    [, url] = (await server.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/)) as unknown as [string, string];
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('loads at /graphql, runs the example query with the token and shows the result', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(url);
    await page.getByRole('button', { name: /execute query/i }).waitFor({ timeout: 60_000 });
    await mkdir(SCREENSHOTS, { recursive: true });
    // The example query is in the editor once Monaco has started.
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 30_000 }).toContain('RecentSessions');

    // The headers editor holds a bearer token (prefilled from DEMO_TOKEN in embedded mode).
    await page.getByText('Headers', { exact: true }).click();
    await expect.poll(() => page.locator('.graphiql-editor-tool').innerText(), { timeout: 20_000 }).toContain(DEMO_TOKEN);

    await page.getByRole('button', { name: /execute query/i }).click();
    await expect.poll(() => page.locator('.graphiql-response').innerText(), { timeout: 30_000 }).toContain('demo@example.com');
    const result = await page.locator('.graphiql-response').innerText();
    expect(result).toContain('"totalCount"');
    expect(result).not.toContain('"errors"');

    await page.screenshot({ path: path.join(SCREENSHOTS, 'graphiql.png'), fullPage: true });
    // Everything the page needed came from our server.
    expect(failed).toEqual([]);
    await page.close();
  });

  it('runs a live subscription: an append made elsewhere shows up in the response pane', async () => {
    const id = randomUUID();
    const post = async (query: string, variables: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_TOKEN}` },
        body: JSON.stringify({ query, variables }),
      });
      expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    };
    await post('mutation($id: UUID!) { saveSession(org: "demo", workspace: "main", input: { id: $id, model: "m" }) { id } }', { id });
    const subscription = `subscription LiveTranscript { transcript(org: "demo", workspace: "main", id: "${id}") { seq content } }`;
    const page = await browser.newPage();
    await page.goto(url);
    await page.getByRole('button', { name: /execute query/i }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 30_000 }).toContain('RecentSessions');
    // Replace the example with the subscription, as a person would (insertText: no auto-closed brackets).
    await page.locator('.graphiql-query-editor textarea').first().focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(subscription);
    await expect.poll(() => page.locator('.graphiql-query-editor').innerText(), { timeout: 30_000 }).toContain('LiveTranscript');
    expect(await page.locator('.graphiql-query-editor').innerText()).not.toContain('RecentSessions');
    // GraphiQL reads the operation name from the editor after a debounce; a click before it has
    // sends the example's name ("Cannot infer operation RecentSessions") and nothing runs. Click
    // until the button turns into Stop, i.e. the subscription is open.
    const stop = page.getByRole('button', { name: /stop query/i });
    await expect
      .poll(
        async () => {
          if (!(await stop.isVisible())) await page.getByRole('button', { name: /execute query/i }).click();
          await page.waitForTimeout(500);
          return stop.isVisible();
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    // The first append may land before GraphiQL's stream opens: the feed reads stored messages first.
    const append = (content: string) =>
      post(
        'mutation($id: String!, $content: String!) { appendTranscript(org: "demo", workspace: "main", id: $id, input: { messages: [{ role: USER, content: $content }] }) { lastSeq } }',
        {
          id,
          content,
        },
      );
    // Monaco renders spaces as non-breaking ones.
    const response = async () => (await page.locator('.graphiql-response').innerText()).replace(/\s+/g, ' ');
    await append('hello from elsewhere');
    await expect.poll(response, { timeout: 30_000 }).toContain('"content": "hello from elsewhere"');
    await append('and again');
    await expect.poll(response, { timeout: 30_000 }).toContain('"content": "and again"');
    expect(await response()).toContain('"seq": 2');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'graphiql-subscription.png'), fullPage: true });
    await page.close();
  });
});
