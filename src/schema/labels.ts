import { MAX_FILTER_VALUES } from '../sessions/filter.js';
import { MAX_LABEL_KEYS, MAX_LABEL_VALUES, type Label } from '../sessions/labels.js';
import { builder } from './builder.js';
import { atMost } from './list-bounds.js';

export const SessionLabelRef = builder.objectRef<Label>('SessionLabel').implement({
  description: 'One label key and its values, both sorted in code-point order. Not an entity: it belongs to its session (no id).',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Matches ^[a-z0-9][a-z0-9_.:/-]{0,62}$.' }),
    values: t.exposeStringList('values', { description: 'Sorted, without duplicates.' }),
  }),
});

export const LabelInputRef = builder.inputType('LabelInput', {
  description: 'Keys match ^[a-z0-9][a-z0-9_.:/-]{0,62}$; values are 1 to 256 characters.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'The label key.' }),
    values: t.stringList({ required: true, ...atMost(MAX_LABEL_VALUES, 'At least one value.') }),
  }),
});

/** A session's labels as input: at most as many entries as a session may have keys. */
export const labelsInput = (description?: string) =>
  atMost(MAX_LABEL_KEYS, [description, 'Duplicate keys merge and duplicate values collapse.'].filter(Boolean).join(' '));

export const LabelFilterRef = builder.inputType('LabelFilter', {
  description: 'Sessions with this key and one of these values (SES-LBL-050/051/052).',
  fields: (t) => ({
    key: t.string({ required: true, description: 'The label key.' }),
    values: t.stringList({ required: true, ...atMost(MAX_FILTER_VALUES, 'Any of these values.') }),
  }),
});
