/**
 * A validator of ATIF documents, v1.0 to v1.7 (the Agent Trajectory Interchange Format of the
 * Harbor project, RFC 0001 "trajectory format"), written here from the RFC and Harbor's reference
 * Pydantic models (`harbor.models.trajectories`, the format's validator: it publishes no JSON
 * Schema). As they do: every object refuses fields the format does not define (`extra="forbid"`),
 * `steps` holds at least one step, step_id runs from 1 without gap, agent-only fields appear on
 * agent steps only, an agent step with `llm_call_count: 0` has no metrics or reasoning, an
 * observation result that names a tool call names one of its step, content parts are text or
 * image, a subagent reference names a trajectory_id or a trajectory_path, and embedded subagent
 * trajectories are whole trajectories with unique trajectory_ids. Stricter than the models only
 * where Python's lax parsing has no JSON equivalent: timestamps are full ISO 8601 date-times and
 * integers are JSON integers. Returns the violations, one line each; [] for a valid document.
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
const contentPartFields = model({
  type: req(oneOf('text', 'image')),
  text: opt(string),
  source: opt(model({ media_type: req(oneOf('image/jpeg', 'image/png', 'image/gif', 'image/webp')), path: req(string) })),
});
/** A text part has text and no source; an image part a source and no text. */
const contentPart: Rule = (v, at, e) => {
  contentPartFields(v, at, e);
  if (!isObject(v)) return;
  if (v.type === 'text' && (v.text == null || v.source != null)) e.push(`${at}: a text part has text and no source`);
  if (v.type === 'image' && (v.source == null || v.text != null)) e.push(`${at}: an image part has a source and no text`);
};
/** Text, or a list of content parts (v1.6+). */
const content: Rule = (v, at, e) => {
  if (Array.isArray(v)) listOf(contentPart)(v, at, e);
  else if (typeof v !== 'string') e.push(`${at}: neither a string nor a list of content parts`);
};
const subagentRefFields = model({
  trajectory_id: opt(string),
  session_id: opt(string),
  trajectory_path: opt(string),
  extra: opt(anyObject),
});
const subagentRef: Rule = (v, at, e) => {
  subagentRefFields(v, at, e);
  if (isObject(v) && v.trajectory_id == null && v.trajectory_path == null)
    e.push(`${at}: names neither a trajectory_id nor a trajectory_path`);
};
const observationResult = model({
  source_call_id: opt(string),
  content: opt(content),
  subagent_trajectory_ref: opt(listOf(subagentRef)),
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
  message: req(content),
  reasoning_content: opt(string),
  tool_calls: opt(listOf(toolCall)),
  observation: opt(model({ results: req(listOf(observationResult)) })),
  metrics: opt(metrics),
  llm_call_count: opt(integer()),
  is_copied_context: opt(boolean),
  extra: opt(anyObject),
});
const nonEmptyListOf =
  (rule: Rule): Rule =>
  (v, at, e) => {
    listOf(rule)(v, at, e);
    if (Array.isArray(v) && v.length === 0) e.push(`${at}: holds no item (at least one is required)`);
  };
const trajectoryFields = model({
  schema_version: opt(oneOf(...['0', '1', '2', '3', '4', '5', '6', '7'].map((minor) => `ATIF-v1.${minor}`))),
  session_id: opt(string),
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
  steps: req(nonEmptyListOf(step)),
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
  // Whole trajectories, checked by trajectoryRules below.
  subagent_trajectories: opt(listOf(anyObject)),
  extra: opt(anyObject),
});

const AGENT_ONLY = ['model_name', 'reasoning_effort', 'reasoning_content', 'tool_calls', 'metrics'];

/** The model-level rules of one trajectory (and, recursively, of its embedded subagents). */
function trajectoryRules(document: Json, at: string, errors: string[]): void {
  trajectoryFields(document, at, errors);
  if (!isObject(document)) return;
  const steps = Array.isArray(document.steps) ? document.steps : [];
  steps.forEach((s, i) => {
    if (!isObject(s)) return;
    const here = `${at}.steps[${i}]`;
    if (s.step_id !== i + 1) errors.push(`${here}.step_id: ${String(s.step_id)}, expected ${i + 1} (sequential from 1)`);
    if (s.source !== 'agent') {
      for (const field of AGENT_ONLY) if (s[field] != null) errors.push(`${here}.${field}: only on agent steps`);
    } else if (s.llm_call_count === 0) {
      for (const field of ['metrics', 'reasoning_content'])
        if (s[field] != null) errors.push(`${here}.${field}: not on a step of llm_call_count 0`);
    }
    const callIds = new Set(
      Array.isArray(s.tool_calls) ? s.tool_calls.map((call) => (isObject(call) ? call.tool_call_id : undefined)) : [],
    );
    const results = isObject(s.observation) && Array.isArray(s.observation.results) ? s.observation.results : [];
    results.forEach((result, j) => {
      if (isObject(result) && result.source_call_id != null && !callIds.has(result.source_call_id)) {
        errors.push(`${here}.observation.results[${j}].source_call_id: names no tool call of its step`);
      }
    });
  });
  const subagents = Array.isArray(document.subagent_trajectories) ? document.subagent_trajectories : [];
  const seen = new Set<unknown>();
  subagents.forEach((subagent, i) => {
    const here = `${at}.subagent_trajectories[${i}]`;
    trajectoryRules(subagent, here, errors);
    if (!isObject(subagent)) return;
    if (subagent.trajectory_id == null) errors.push(`${here}.trajectory_id: required on an embedded trajectory`);
    else if (seen.has(subagent.trajectory_id)) errors.push(`${here}.trajectory_id: not unique among the embedded trajectories`);
    seen.add(subagent.trajectory_id);
  });
}

export function atifViolations(document: Json): string[] {
  const errors: string[] = [];
  trajectoryRules(document, '$', errors);
  return errors;
}
