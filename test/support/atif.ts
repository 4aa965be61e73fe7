/**
 * A validator of ATIF-v1.7 documents (the Agent Trajectory Interchange Format of the Harbor
 * project, RFC 0001 "trajectory format"), written here from the RFC's model definitions: every
 * object refuses fields the format does not define, as its reference models do, and the
 * document-level rules are checked: step_id from 1 without gap, agent-only fields only on agent
 * steps, observation results that name a tool call name one of their step, ISO 8601 timestamps.
 * Returns the violations, one line each; [] for a valid document.
 */

type Json = unknown;
type Rule = (value: Json, at: string, errors: string[]) => void;

const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const string: Rule = (v, at, e) => void (typeof v === 'string' || e.push(`${at}: not a string`));
const integer =
  (min = 0): Rule =>
  (v, at, e) =>
    void ((Number.isInteger(v) && (v as number) >= min) || e.push(`${at}: not an integer >= ${min}`));
const number: Rule = (v, at, e) => void ((typeof v === 'number' && Number.isFinite(v)) || e.push(`${at}: not a number`));
const boolean: Rule = (v, at, e) => void (typeof v === 'boolean' || e.push(`${at}: not a boolean`));
const anyObject: Rule = (v, at, e) => void (isObject(v) || e.push(`${at}: not an object`));
const oneOf =
  (...values: string[]): Rule =>
  (v, at, e) =>
    void (values.includes(v as string) || e.push(`${at}: not one of ${values.join(', ')}`));
const timestamp: Rule = (v, at, e) => void ((typeof v === 'string' && ISO_8601.test(v)) || e.push(`${at}: not an ISO 8601 timestamp`));
const listOf =
  (rule: Rule): Rule =>
  (v, at, e) => {
    if (!Array.isArray(v)) e.push(`${at}: not a list`);
    else v.forEach((item, i) => rule(item, `${at}[${i}]`, e));
  };
const anyOf =
  (...rules: Rule[]): Rule =>
  (v, at, e) => {
    const attempts = rules.map((rule) => {
      const found: string[] = [];
      rule(v, at, found);
      return found;
    });
    if (!attempts.some((found) => found.length === 0)) e.push(...attempts[0]!);
  };

/** An object with these fields (required ones marked), and no other. */
function model(fields: Record<string, { rule: Rule; required?: boolean }>): Rule {
  return (value, at, errors) => {
    if (!isObject(value)) {
      errors.push(`${at}: not an object`);
      return;
    }
    for (const key of Object.keys(value)) if (!(key in fields)) errors.push(`${at}.${key}: not an ATIF field`);
    for (const [key, { rule, required }] of Object.entries(fields)) {
      if (value[key] === undefined || value[key] === null) {
        if (required) errors.push(`${at}.${key}: required`);
      } else rule(value[key], `${at}.${key}`, errors);
    }
  };
}

const opt = (rule: Rule) => ({ rule });
const req = (rule: Rule) => ({ rule, required: true });

const toolCall = model({ tool_call_id: req(string), function_name: req(string), arguments: req(anyObject), extra: opt(anyObject) });
const observationResult = model({
  source_call_id: opt(string),
  content: opt(anyOf(string, listOf(anyObject))),
  subagent_trajectory_ref: opt(listOf(anyObject)),
  extra: opt(anyObject),
});
const metrics = model({
  prompt_tokens: opt(integer()),
  completion_tokens: opt(integer()),
  cached_tokens: opt(integer()),
  cost_usd: opt(number),
  prompt_token_ids: opt(listOf(integer())),
  completion_token_ids: opt(listOf(integer())),
  logprobs: opt(listOf(number)),
  extra: opt(anyObject),
});
const step = model({
  step_id: req(integer(1)),
  timestamp: opt(timestamp),
  source: req(oneOf('system', 'user', 'agent')),
  model_name: opt(string),
  reasoning_effort: opt(anyOf(string, number)),
  message: req(anyOf(string, listOf(anyObject))),
  reasoning_content: opt(string),
  tool_calls: opt(listOf(toolCall)),
  observation: opt(model({ results: req(listOf(observationResult)) })),
  metrics: opt(metrics),
  llm_call_count: opt(integer()),
  is_copied_context: opt(boolean),
  extra: opt(anyObject),
});
const trajectory = model({
  schema_version: req(oneOf('ATIF-v1.7')),
  session_id: req(string),
  trajectory_id: opt(string),
  agent: req(
    model({
      name: req(string),
      version: req(string),
      model_name: opt(string),
      tool_definitions: opt(listOf(anyObject)),
      extra: opt(anyObject),
    }),
  ),
  steps: req(listOf(step)),
  notes: opt(string),
  final_metrics: opt(
    model({
      total_prompt_tokens: opt(integer()),
      total_completion_tokens: opt(integer()),
      total_cached_tokens: opt(integer()),
      total_cost_usd: opt(number),
      total_steps: opt(integer()),
      extra: opt(anyObject),
    }),
  ),
  continued_trajectory_ref: opt(string),
  subagent_trajectories: opt(listOf(anyObject)),
  extra: opt(anyObject),
});

const AGENT_ONLY = ['model_name', 'reasoning_effort', 'reasoning_content', 'tool_calls', 'metrics'];

export function atifViolations(document: Json): string[] {
  const errors: string[] = [];
  trajectory(document, '$', errors);
  if (!isObject(document) || !Array.isArray(document.steps)) return errors;
  document.steps.forEach((s, i) => {
    if (!isObject(s)) return;
    if (s.step_id !== i + 1) errors.push(`$.steps[${i}].step_id: ${String(s.step_id)}, expected ${i + 1} (sequential from 1)`);
    if (s.source !== 'agent') {
      for (const field of AGENT_ONLY) if (s[field] != null) errors.push(`$.steps[${i}].${field}: only on agent steps`);
    }
    const callIds = new Set(
      Array.isArray(s.tool_calls) ? s.tool_calls.map((call) => (isObject(call) ? call.tool_call_id : undefined)) : [],
    );
    const results = isObject(s.observation) && Array.isArray(s.observation.results) ? s.observation.results : [];
    results.forEach((result, j) => {
      if (isObject(result) && result.source_call_id != null && !callIds.has(result.source_call_id)) {
        errors.push(`$.steps[${i}].observation.results[${j}].source_call_id: names no tool call of its step`);
      }
    });
  });
  const final = isObject(document) ? document.final_metrics : undefined;
  if (isObject(final) && final.total_steps != null && final.total_steps !== document.steps.length) {
    errors.push(`$.final_metrics.total_steps: ${JSON.stringify(final.total_steps)}, but the document has ${document.steps.length} steps`);
  }
  return errors;
}
