import { badUserInput } from '../errors.js';
import { Prisma } from '../generated/prisma/client.js';

/**
 * The `search` filter (SES-LST-007): full-text search in the websearch syntax over title, model,
 * agent, label values and `key:value` label pairs, with a substring match for queries under three
 * characters.
 *
 * PostgreSQL's websearch_to_tsquery would split `team:docs` into two words, so the query is
 * tokenised here (words, "quoted phrases", `or`, `-exclusion`, `key:value` and `key:"a value"`)
 * and each term becomes its own tsquery: words and phrases through phraseto_tsquery with the same
 * 'simple' configuration as the document, pairs as the verbatim lexeme the triggers store. As in
 * websearch_to_tsquery, terms AND together and `or` separates alternatives.
 */

export const MIN_FULL_TEXT_LENGTH = 3;
/** Long enough for any real query; keeps every tsquery word under PostgreSQL's 2,047-byte limit. */
export const MAX_SEARCH_LENGTH = 256;
/** Each term is a tsquery node: PostgreSQL runs out of stack long before thousands of them. */
export const MAX_SEARCH_TERMS = 32;

export type Term = { kind: 'text'; text: string; negated: boolean } | { kind: 'pair'; lexeme: string; text: string; negated: boolean };

// A label key (docs/api.md pattern), a colon and a value.
const PAIR = /^[a-z0-9][a-z0-9_.:/-]{0,62}:.+$/i;
const HAS_WORD = /[\p{L}\p{N}]/u;

/** Splits a websearch query into OR-groups of AND-ed terms. */
export function parseSearch(query: string): Term[][] {
  const groups: Term[][] = [[]];
  let i = 0;
  const readQuoted = (): string => {
    const end = query.indexOf('"', i + 1);
    const text = query.slice(i + 1, end === -1 ? query.length : end);
    i = end === -1 ? query.length : end + 1;
    return text;
  };
  while (i < query.length) {
    const ch = query[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    let negated = false;
    if (ch === '-' && i + 1 < query.length && !/\s/.test(query[i + 1]!)) {
      negated = true;
      i += 1;
    }
    let raw: string;
    let quoted = false;
    if (query[i] === '"') {
      raw = readQuoted();
      quoted = true;
    } else {
      const start = i;
      while (i < query.length && !/\s/.test(query[i]!) && query[i] !== '"') i += 1;
      raw = query.slice(start, i);
      // key:"a quoted value"
      if (raw.endsWith(':') && query[i] === '"') raw += readQuoted();
    }
    const current = groups[groups.length - 1]!;
    if (!quoted && !negated && raw.toLowerCase() === 'or') {
      if (current.length > 0) groups.push([]);
      continue;
    }
    const pair = quoted ? null : PAIR.exec(raw);
    if (pair) {
      current.push({ kind: 'pair', lexeme: raw.toLowerCase(), text: raw, negated });
    } else if (HAS_WORD.test(raw)) {
      current.push({ kind: 'text', text: raw, negated });
    }
  }
  return groups.filter((group) => group.length > 0);
}

/** A tsquery literal holding `lexeme` verbatim (quotes and backslashes escaped). */
function lexemeLiteral(lexeme: string): string {
  return `'${lexeme.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

function termQuery(term: Term): Prisma.Sql {
  const words = Prisma.sql`phraseto_tsquery('simple', ${term.text})`;
  // A pair matches the label, or the same words in a row in the text ("standup 10:30").
  const query = term.kind === 'pair' ? Prisma.sql`(${lexemeLiteral(term.lexeme)}::tsquery || ${words})` : words;
  return term.negated ? Prisma.sql`(!! ${query})` : query;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

const searchTooBig = (loc: (string | number)[], msg: string, type: string) => badUserInput('Search query too long', [{ loc, msg, type }]);

/** A query's OR-groups within the bounds (length, terms); [] for queries under 3 characters. */
export function boundedSearch(query: string, loc: (string | number)[]): Term[][] {
  if (query.length > MAX_SEARCH_LENGTH) throw searchTooBig(loc, `At most ${MAX_SEARCH_LENGTH} characters`, 'search_too_long');
  const groups = query.length < MIN_FULL_TEXT_LENGTH ? [] : parseSearch(query);
  if (groups.flat().length > MAX_SEARCH_TERMS) throw searchTooBig(loc, `At most ${MAX_SEARCH_TERMS} terms`, 'search_too_many_terms');
  return groups;
}

/** The tsquery of a parsed query: terms AND within a group, groups OR. */
export function tsQueryOf(groups: Term[][]): Prisma.Sql {
  const alternatives = groups.map((group) => Prisma.join(group.map(termQuery), ' && ', '(', ')'));
  return Prisma.sql`(${Prisma.join(alternatives, ' || ')})`;
}

/** The condition on sessions alias `s` for a search string; null when there is nothing to search. */
export function searchCondition(search: string | null | undefined): Prisma.Sql | null {
  const query = search?.trim() ?? '';
  if (query === '') return null;
  const groups = boundedSearch(query, ['filter', 'search']);
  if (groups.length === 0) {
    // Short queries, and queries with no searchable word, match as a substring.
    return Prisma.sql`s.search_text LIKE ${`%${escapeLike(query.toLowerCase())}%`} ESCAPE '\\'`;
  }
  return Prisma.sql`s.search_vector @@ ${tsQueryOf(groups)}`;
}
