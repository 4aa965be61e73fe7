import { MAX_TRAJECTORY_FIELD_MESSAGES, trajectoryObject } from '../sessions/trajectory.js';
import { builder } from './builder.js';
import { SessionRef } from './session.js';

export const TrajectoryFormatEnum = builder.enumType('TrajectoryFormat', {
  description: 'The document formats a session exports to.',
  values: {
    ATIF: {
      description:
        'ATIF-v1.7, the Agent Trajectory Interchange Format (Harbor’s RFC 0001): steps from 1, tool calls with their observations.',
    },
    OPENAI: { description: 'An OpenAI Chat Completions messages array, under `messages`.' },
    NATIVE: { description: 'This API’s own: session metadata, labels, usage and the messages as stored.' },
  } as const,
});

builder.objectField(SessionRef, 'trajectory', (t) =>
  t.field({
    type: 'JSONObject',
    nullable: true,
    description: `The session as a trajectory document, for sessions of at most ${MAX_TRAJECTORY_FIELD_MESSAGES} exported messages (BAD_REQUEST beyond: download it from GET /api/v1/org/{org}/ws/{workspace}/sessions/{id}/trajectory, which streams any length). Costs as much as a page of ${MAX_TRAJECTORY_FIELD_MESSAGES}. Null (with an error) when it could not be made.`,
    extensions: { cost: MAX_TRAJECTORY_FIELD_MESSAGES },
    args: {
      format: t.arg({ type: TrajectoryFormatEnum, required: true, defaultValue: 'ATIF', description: 'The document format.' }),
      includeCompacted: t.arg.boolean({
        defaultValue: false,
        description: 'Also the messages a compaction covers (the current era only by default).',
      }),
    },
    resolve: (session, args, ctx) =>
      trajectoryObject(ctx.prisma, session, { format: args.format, includeCompacted: args.includeCompacted ?? false }),
  }),
);
