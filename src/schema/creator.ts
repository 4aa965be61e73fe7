import { builder } from './builder.js';

/** The small view of a session's owner that a list needs to show an email chip. */
export const SessionCreatorRef = builder.prismaObject('User', {
  name: 'SessionCreator',
  fields: (t) => ({
    id: t.expose('id', { type: 'UUID' }),
    email: t.exposeString('email', { nullable: true }),
    username: t.exposeString('username', { nullable: true }),
    fullName: t.exposeString('fullName', { nullable: true }),
  }),
});
