import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../src/generated/prisma/client.js';
import { createLogger } from '../../src/logger.js';
import { buildYoga } from '../../src/http/yoga.js';
import type { Scenario } from './scenarios.js';

export interface ExplainedStatement {
  sql: string;
  params: unknown[];
  plan: string;
  /** Sequential scans in the plan: relation, rows kept and rows the filter removed (per loop). */
  seqScans: string[];
}

interface CapturedStatement {
  sql: string;
  params: unknown[];
}

/**
 * Runs one request of the scenario through the real yoga server in this process, capturing each
 * SQL statement with its parameters as Prisma sends them, then EXPLAIN (ANALYZE, BUFFERS) each one
 * on the same data. Everything is explained inside a transaction that is rolled back, since
 * ANALYZE executes the statement (authentication's CTE updates last_used_at).
 */
export async function explainScenario(databaseUrl: string, scenario: Scenario, token: string): Promise<ExplainedStatement[]> {
  const captured: CapturedStatement[] = [];
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }), log: [{ emit: 'event', level: 'query' }] });
  prisma.$on('query', (event) => captured.push({ sql: event.query, params: JSON.parse(event.params || '[]') as unknown[] }));
  try {
    const yoga = buildYoga({
      config: { graphiql: false, introspection: false, demoToken: undefined },
      prisma,
      logger: createLogger('silent'),
    });
    // Once to warm the connection pool and Prisma's query plans, once to capture.
    for (let i = 0; i < 2; i += 1) {
      captured.length = 0;
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: scenario.body(),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(`Scenario ${scenario.id} failed: ${JSON.stringify(body.errors).slice(0, 500)}`);
    }
  } finally {
    await prisma.$disconnect();
  }

  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    const explained: ExplainedStatement[] = [];
    for (const { sql, params } of captured) {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params);
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      const seqScans = sequentialScans(plan);
      explained.push({ sql: sql.replace(/\s+/g, ' ').trim(), params, plan, seqScans });
    }
    return explained;
  } finally {
    await client.query('ROLLBACK').catch(() => {});
    await client.end();
  }
}

/** "sessions (7884 rows kept, 2376 removed)" for each `Seq Scan` node of an EXPLAIN ANALYZE plan. */
function sequentialScans(plan: string): string[] {
  const lines = plan.split('\n');
  const scans: string[] = [];
  lines.forEach((line, i) => {
    const scan = /Seq Scan on (\S+).*\(actual time=\S+ rows=(\d+) loops=(\d+)\)/.exec(line);
    if (!scan) return;
    const indent = line.search(/\S/);
    let removed = 0;
    // The node's own detail lines follow, indented deeper, up to the next node.
    for (const detail of lines.slice(i + 1)) {
      if (detail.search(/\S/) <= indent || detail.includes('->')) break;
      const match = /Rows Removed by Filter: (\d+)/.exec(detail);
      if (match) removed = Number(match[1]);
    }
    scans.push(`${scan[1]} (${scan[2]} rows kept, ${removed} removed${scan[3] === '1' ? '' : `, ${scan[3]} loops`})`);
  });
  return scans;
}

const shortParam = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

function formatParams(params: unknown[]): string {
  const shown = params.slice(0, 4).map(shortParam).join(', ');
  return params.length > 4 ? `${shown}, … (${params.length} in all)` : shown;
}

/** Array literals of the page's ids make plans unreadable: keep the first element and the count. */
function abbreviateArrays(plan: string): string {
  return plan.replace(
    /'\{([^,}']+),([^}']{100,})\}'/g,
    (_all, first: string, rest: string) => `'{${first}, … ${rest.split(',').length + 1} values}'`,
  );
}

export function formatExplained(statements: ExplainedStatement[]): string {
  return statements
    .map((s, i) =>
      [
        `-- statement ${i + 1} of ${statements.length}${s.seqScans.length > 0 ? `  (sequential scan on ${s.seqScans.join(', ')})` : ''}`,
        s.sql,
        s.params.length > 0 ? `-- params: ${formatParams(s.params)}` : '',
        abbreviateArrays(s.plan),
      ]
        .filter(Boolean)
        .join('\n'),
    )
    .join('\n\n');
}
