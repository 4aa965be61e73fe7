// The floor of `npm run bench`: bare node:http and pg, no GraphQL. Every POST answers scenario a's
// question (the first N sessions of a workspace with creator, labels and usage) with one SQL
// statement of the shape PostGraphile sends (and, like PostGraphile's list, by workspace id only), and shapes the rows in JavaScript into the response
// the API gives. No authentication, no validation, no GraphQL: what is left is the database, the
// driver and HTTP, i.e. the least a Node server can spend on this page.
// Environment: DATABASE_URL, PORT (0: any free port), HOST.
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const PAGE = `
SELECT s.id, s.title, s.model, s.agent, s.message_count, s.updated_at,
       u.id AS user_id, u.email,
       (SELECT coalesce(json_agg(json_build_array(l.key, l.value) ORDER BY l.key, l.value), '[]'::json)
          FROM session_labels l WHERE l.session_id = s.id) AS labels,
       (r.input_tokens + r.output_tokens + r.cache_read_input_tokens + r.cache_creation_input_tokens)::float8 AS total_tokens,
       CASE WHEN r.cost_unknown THEN NULL ELSE r.cost_usd::float8 END AS cost,
       r.tool_call_count::float8 AS tool_calls, r.last_generation_input_tokens AS last_input, r.session_id IS NOT NULL AS has_usage
  FROM sessions s
  LEFT JOIN users u ON u.id = s.user_id
  LEFT JOIN session_usage_rollups r ON r.session_id = s.id
 WHERE s.workspace_id = $1
 ORDER BY s.updated_at DESC, s.id DESC
 LIMIT $2`;

function labelsOf(pairs) {
  const labels = [];
  for (const [key, value] of pairs) {
    const last = labels.at(-1);
    if (last && last.key === key) last.values.push(value);
    else labels.push({ key, values: [value] });
  }
  return labels;
}

function node(row) {
  return {
    id: row.id,
    title: row.title,
    model: row.model,
    agent: row.agent,
    messageCount: row.message_count,
    updatedAt: row.updated_at.toISOString(),
    creator: row.user_id ? { id: row.user_id, email: row.email } : null,
    labels: labelsOf(row.labels),
    usage: row.has_usage
      ? {
          totalTokens: row.total_tokens,
          totalCostUsd: row.cost,
          totalToolCallCount: row.tool_calls,
          lastGenerationInputTokens: row.last_input,
        }
      : { totalTokens: 0, totalCostUsd: 0, totalToolCallCount: 0, lastGenerationInputTokens: null },
  };
}

async function answer(body) {
  const { workspaceId, first } = JSON.parse(body).variables;
  const { rows } = await pool.query(PAGE, [workspaceId, first + 1]);
  const nodes = rows.slice(0, first).map(node);
  const last = nodes.at(-1);
  const endCursor = last ? Buffer.from(JSON.stringify({ id: last.id, value: last.updatedAt })).toString('base64url') : null;
  return JSON.stringify({ data: { sessions: { nodes, pageInfo: { hasNextPage: rows.length > first, endCursor } } } });
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    answer(Buffer.concat(chunks).toString()).then(
      (json) => response.writeHead(200, { 'content-type': 'application/json' }).end(json),
      (error) =>
        response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] })),
    );
  });
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`Floor at http://${address}:${port}/graphql`);
});
const stop = () => {
  server.close(() => pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
