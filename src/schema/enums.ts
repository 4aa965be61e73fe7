import { builder } from './builder.js';

export const SessionOriginEnum = builder.enumType('SessionOrigin', {
  description: 'Who wrote the session (SES-ORG-001). EVAL, OPTIMIZATION, TRAINING and WORLD are platform workloads.',
  values: ['USER', 'WORKER', 'EVAL', 'OPTIMIZATION', 'TRAINING', 'WORLD'] as const,
});

export const SessionVisibilityEnum = builder.enumType('SessionVisibility', {
  description: 'PRIVATE: the owner only. WORKSPACE: every member of the workspace.',
  values: ['PRIVATE', 'WORKSPACE'] as const,
});

export const ArchivedStateEnum = builder.enumType('ArchivedState', {
  values: ['ACTIVE', 'ARCHIVED', 'ANY'] as const,
});

export const SessionOrderFieldEnum = builder.enumType('SessionOrderField', {
  values: ['UPDATED_AT', 'LAST_MESSAGE_AT', 'CREATED_AT', 'MESSAGE_COUNT'] as const,
});

export const OrderDirectionEnum = builder.enumType('OrderDirection', {
  values: ['ASC', 'DESC'] as const,
});

export const MembershipRoleEnum = builder.enumType('MembershipRole', {
  description: 'READER reads; CONTRIBUTOR also saves and changes own sessions; ADMIN also manages others\u2019 WORKSPACE sessions.',
  values: ['READER', 'CONTRIBUTOR', 'ADMIN'] as const,
});

export const TokenKindEnum = builder.enumType('TokenKind', {
  description: 'USER tokens write USER sessions; WORKER tokens USER or WORKER; SERVICE tokens any origin.',
  values: ['USER', 'WORKER', 'SERVICE'] as const,
});
