import { builder } from './builder.js';
import { NodeRef } from './node.js';

/** A user: a session's owner (`Session.creator`) or the caller (`viewer.user`). One type, one id. */
export const UserRef = builder.prismaObject('User', {
  name: 'User',
  description: 'A user of the platform: the owner of sessions, a member of workspaces.',
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The user’s UUID.' }),
    email: t.exposeString('email', { nullable: true, description: 'The user’s email address.' }),
    username: t.exposeString('username', { nullable: true, description: 'A short handle, when the user has one.' }),
    fullName: t.exposeString('fullName', { nullable: true, description: 'The user’s full name, when known.' }),
  }),
});
