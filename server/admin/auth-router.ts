// auth.*: console sign-in and sign-out (session cookie), who am I, password change, and the
// caller's own sessions.
import { TRPCError } from '@trpc/server';
import * as v from 'valibot';
import { BigId } from './schemas.ts';
import { accountOf, noteAudit, publicProcedure, router, userProcedure } from './trpc.ts';
import { clearedSessionCookie, sessionCookie } from '../auth/cookies.ts';
import { hashPassword, needsRehash, verifyPassword } from '../auth/passwords.ts';
import { ChangePassword, Login } from './account-schemas.ts';
import { SESSION_TTL_MS } from '../auth/sessions.ts';

function tooMany(resHeaders: Headers, seconds: number): TRPCError {
  resHeaders.set('retry-after', String(seconds));
  const minutes = Math.ceil(seconds / 60);
  return new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  });
}

export const authRouter = router({
  /** Sets the session cookie. Failures count towards the per-IP and per-account limits. */
  login: publicProcedure.input(Login).mutation(async ({ ctx, input }) => {
    const { auth, db: { db } } = ctx.gw;
    // Counted before the password is checked: concurrent guesses cannot all get through.
    const wait = await auth.throttle.admit(ctx.ip, input.username);
    if (wait > 0) throw tooMany(ctx.resHeaders, wait);
    const user = await db.selectFrom('users').select(['id', 'username', 'display_name', 'role', 'status', 'password_hash'])
      .where('username', '=', input.username).executeTakeFirst();
    if (!(await auth.throttle.checked(() => verifyPassword(input.password, user?.password_hash))) || !user) {
      await auth.throttle.failed();
      throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong username or password.' });
    }
    if (user.status !== 1) throw new TRPCError({ code: 'FORBIDDEN', message: 'This account is disabled.' });
    await auth.throttle.succeeded(ctx.ip, input.username);
    // Imported bcrypt hashes become argon2id once we have seen the password.
    if (needsRehash(user.password_hash!)) {
      await db.updateTable('users').set({ password_hash: await hashPassword(input.password) }).where('id', '=', user.id).execute();
    }
    // A new session on every sign-in (no fixation); the one this browser had ends.
    const previous = await auth.sessionOf(ctx.req);
    if (previous) await auth.sessions.revoke(previous);
    const s = await auth.sessions.create(user.id, { ip: ctx.ip, userAgent: ctx.req.headers.get('user-agent') });
    ctx.resHeaders.append('set-cookie', sessionCookie(ctx.req, s.token, SESSION_TTL_MS / 1000));
    noteAudit(ctx, {
      principal: { kind: 'session', userId: user.id, role: user.role, username: user.username, sessionId: s.id },
      target: `users#${user.id}`, after: { sessionId: s.id },
    });
    return { user: { id: user.id, username: user.username, displayName: user.display_name, role: user.role } };
  }),

  /** Ends this browser's session server-side and clears the cookie. */
  logout: publicProcedure.mutation(async ({ ctx }) => {
    const id = await ctx.gw.auth.sessionOf(ctx.req);
    if (id) await ctx.gw.auth.sessions.revoke(id);
    ctx.resHeaders.append('set-cookie', clearedSessionCookie(ctx.req));
    return { signedOut: id !== null };
  }),

  me: userProcedure.query(async ({ ctx }) => {
    const p = ctx.principal;
    if (p.kind === 'admin-key') return { kind: p.kind, userId: null, username: 'admin-key', displayName: 'ADMIN_KEY', role: 'root' as const, group: null, balance: null };
    const u = await ctx.gw.db.db.selectFrom('users').select(['display_name', 'group_name']).where('id', '=', p.userId).executeTakeFirstOrThrow();
    return { kind: p.kind, userId: p.userId, username: p.username, displayName: u.display_name, role: p.role, group: u.group_name, balance: ctx.gw.accounts.balance(p.userId) };
  }),

  /** Needs the current password; ends the account's other sessions. */
  changePassword: userProcedure.input(ChangePassword).mutation(async ({ ctx, input }) => {
    const me = accountOf(ctx);
    const { auth, db: { db } } = ctx.gw;
    const wait = await auth.throttle.admit(ctx.ip, me.username);
    if (wait > 0) throw tooMany(ctx.resHeaders, wait);
    const row = await db.selectFrom('users').select('password_hash').where('id', '=', me.userId).executeTakeFirstOrThrow();
    if (!(await auth.throttle.checked(() => verifyPassword(input.currentPassword, row.password_hash)))) {
      await auth.throttle.failed();
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'The current password is wrong.', cause: { issues: [{ message: 'is wrong', path: ['currentPassword'] }] } });
    }
    await auth.throttle.succeeded(ctx.ip, me.username);
    await db.updateTable('users').set({ password_hash: await hashPassword(input.newPassword), updated_at: new Date() }).where('id', '=', me.userId).execute();
    await auth.sessions.revokeAllFor(me.userId, me.kind === 'session' ? me.sessionId : undefined);
    noteAudit(ctx, { target: `users#${me.userId}` });
    return { changed: true };
  }),

  /** The caller's live sessions. */
  sessions: userProcedure.query(async ({ ctx }) => {
    const me = accountOf(ctx);
    const rows = await ctx.gw.auth.sessions.list(me.userId);
    return rows.map((s) => ({ ...s, id: String(s.id), current: me.kind === 'session' && String(s.id) === me.sessionId }));
  }),

  revokeSession: userProcedure.input(v.object({ id: BigId('a session id') }))
    .mutation(async ({ ctx, input }) => {
      const me = accountOf(ctx);
      const revoked = await ctx.gw.auth.sessions.revoke(input.id, me.userId);
      if (!revoked) throw new TRPCError({ code: 'NOT_FOUND', message: `session ${input.id} not found` });
      return { id: input.id };
    }),
});
