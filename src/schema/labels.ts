import type { Label } from '../sessions/labels.js';
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
    values: t.stringList({ required: true }),
  }),
});

export const LabelFilterRef = builder.inputType('LabelFilter', {
  fields: (t) => ({
    key: t.string({ required: true }),
    values: t.stringList({ required: true }),
  }),
});
