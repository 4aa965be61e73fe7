import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { renderGraphiQL, type GraphiQLOptions, type Plugin } from 'graphql-yoga';

/**
 * GraphiQL without a CDN. Yoga's page loads its bundle from unpkg; we serve the same files from
 * the @graphql-yoga/graphiql package under /graphiql/, so the playground works offline, behind
 * firewalls and under a strict Content-Security-Policy, and its version is pinned by the lockfile.
 */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/';

const require = createRequire(import.meta.url);
const DIST = path.join(path.dirname(require.resolve('@graphql-yoga/graphiql/package.json')), 'dist');

const ASSETS: Record<string, string> = {
  'graphiql.css': 'text/css; charset=utf-8',
  'yoga-graphiql.umd.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/editor.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/json.worker.bundle.js': 'text/javascript; charset=utf-8',
  'monacoeditorwork/graphql.worker..bundle.js': 'text/javascript; charset=utf-8',
};

const CDN_DIST = /https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g;
const EXTERNAL_FAVICON = /<link rel=icon href=https:[^>]*>/;

/** Yoga's GraphiQL page, pointing at our copies of its assets (and with its loading text's title filled in). */
export function renderLocalGraphiQL(options: GraphiQLOptions): string {
  return renderGraphiQL(options)
    .replace(CDN_DIST, GRAPHIQL_ASSETS_PATH)
    .replace(EXTERNAL_FAVICON, '<link rel=icon href="data:,">')
    .replaceAll('__TITLE__', escapeHtml(options.title ?? 'GraphiQL'));
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const EXAMPLE_QUERY = `# Sessions you can see in the demo workspace, newest first.
# Set the Authorization header below: {"Authorization": "Bearer <token>"}
query RecentSessions {
  viewer { user { email } memberships { org workspace role } }
  sessions(org: "demo", workspace: "main", first: 10) {
    totalCount
    nodes {
      id title model messageCount updatedAt
      creator { email }
      labels { key values }
      usage { totalTokens totalCostUsd }
    }
  }
}
`;

/** The Authorization header GraphiQL starts with: the demo token in embedded mode, else a placeholder. */
function exampleHeaders(demoToken: string | undefined): string {
  return JSON.stringify({ Authorization: `Bearer ${demoToken ?? '<paste a token from npm run admin>'}` }, null, 2);
}

/**
 * GraphiQL's start state: the example query and an Authorization header. GraphiQL 5 (in
 * @graphql-yoga/graphiql 4.5) shows the welcome text instead of `defaultQuery`/`defaultTabs` in the
 * editor; `initialQuery`, which yoga passes through to GraphiQL, puts the example there.
 */
export function graphiqlOptions(demoToken: string | undefined): GraphiQLOptions & { initialQuery: string } {
  const headers = exampleHeaders(demoToken);
  return {
    title: 'Chat sessions API',
    defaultTabs: [{ query: EXAMPLE_QUERY, headers }],
    defaultQuery: EXAMPLE_QUERY,
    initialQuery: EXAMPLE_QUERY,
    headers,
    // A bearer token in localStorage outlives the tab and is readable by any script on the page.
    shouldPersistHeaders: false,
  };
}

const cache = new Map<string, Promise<Buffer>>();

export function useGraphiQLAssets(): Plugin {
  return {
    async onRequest({ url, fetchAPI, endResponse }) {
      if (!url.pathname.startsWith(GRAPHIQL_ASSETS_PATH)) return;
      const name = url.pathname.slice(GRAPHIQL_ASSETS_PATH.length);
      const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
      if (!type) {
        endResponse(new fetchAPI.Response('Not found', { status: 404 }));
        return;
      }
      let body = cache.get(name);
      if (!body) {
        body = readFile(path.join(DIST, name));
        cache.set(name, body);
      }
      endResponse(
        new fetchAPI.Response(new Uint8Array(await body), {
          headers: { 'content-type': type, 'cache-control': 'public, max-age=86400' },
        }),
      );
    },
  };
}
