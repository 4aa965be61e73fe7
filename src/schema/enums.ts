import { builder } from './builder.js';

export const SessionOriginEnum = builder.enumType('SessionOrigin', {
  description: 'Who wrote the session (SES-ORG-001). EVAL, OPTIMIZATION, TRAINING and WORLD are platform workloads.',
  values: {
    USER: { description: 'An interactive session (the default).' },
    WORKER: { description: 'Written by a capability worker.' },
    EVAL: { description: 'Written by the evaluation service (a workload).' },
    OPTIMIZATION: { description: 'An optimization workload.' },
    TRAINING: { description: 'A training workload.' },
    WORLD: { description: 'A world-simulation workload.' },
  } as const,
});

export const SessionVisibilityEnum = builder.enumType('SessionVisibility', {
  description: 'Who may see a session.',
  values: {
    PRIVATE: { description: 'The owner only (the default).' },
    WORKSPACE: { description: 'Every member of the workspace.' },
  } as const,
});

export const ArchivedStateEnum = builder.enumType('ArchivedState', {
  description: 'Which sessions a list holds by their archived state.',
  values: {
    ACTIVE: { description: 'Sessions that are not archived (the default).' },
    ARCHIVED: { description: 'Archived sessions only.' },
    ANY: { description: 'Both.' },
  } as const,
});

export const SessionOrderFieldEnum = builder.enumType('SessionOrderField', {
  description: 'What a list of sessions is ordered by.',
  values: {
    UPDATED_AT: { description: 'When the session last changed (the default).' },
    LAST_MESSAGE_AT: { description: 'When a message was last appended; sessions without messages sort as the smallest.' },
    CREATED_AT: { description: 'When the session was first saved.' },
    MESSAGE_COUNT: { description: 'How many messages it has.' },
  } as const,
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  description: 'Which way an order runs.',
  values: {
    ASC: { description: 'Smallest first.' },
    DESC: { description: 'Largest first.' },
  } as const,
});

export const MembershipRoleEnum = builder.enumType('MembershipRole', {
  description: 'What a member may do in a workspace.',
  values: {
    READER: { description: 'Reads; never writes.' },
    CONTRIBUTOR: { description: 'Also saves sessions and changes its own.' },
    ADMIN: { description: 'Also updates, archives, freezes and deletes other members’ WORKSPACE sessions.' },
  } as const,
});

export const TokenKindEnum = builder.enumType('TokenKind', {
  description: 'The kind of an API token; it decides which session origins the token may write (SES-ORG-004).',
  values: {
    USER: { description: 'Writes USER sessions.' },
    WORKER: { description: 'Writes USER and WORKER sessions.' },
    SERVICE: { description: 'Writes sessions of any origin (the evaluation service, a gateway).' },
  } as const,
});
