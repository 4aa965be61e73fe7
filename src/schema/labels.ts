import { MAX_FILTER_VALUES } from '../sessions/filter.js';
import { MAX_LABEL_KEYS, MAX_LABEL_VALUES, type Label } from '../sessions/labels.js';
import { atMost } from './list-bounds.js';
import { builder } from './builder.js';

export const SessionLabelRef = builder.objectRef<Label>('SessionLabel').implement({
  description: 'One label key and its values, both sorted.',
  fields: (t) => ({
    key: t.exposeString('key'),
    values: t.exposeStringList('values'),
  }),
});

export const LabelInputRef = builder.inputType('LabelInput', {
  description: 'Keys match ^[a-z0-9][a-z0-9_.:/-]{0,62}$; values are 1 to 256 characters.',
  fields: (t) => ({
    key: t.string({ required: true }),
    values: t.stringList({ required: true, ...atMost(MAX_LABEL_VALUES) }),
  }),
});

/** A session's labels as input: at most as many entries as a session may have keys. */
export const labelsInput = () => atMost(MAX_LABEL_KEYS, 'Duplicate keys merge and duplicate values collapse.');

export const LabelFilterRef = builder.inputType('LabelFilter', {
  fields: (t) => ({
    key: t.string({ required: true }),
    values: t.stringList({ required: true, ...atMost(MAX_FILTER_VALUES) }),
  }),
});
