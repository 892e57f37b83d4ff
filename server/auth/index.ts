// Admin API authentication: who is calling, from ADMIN_KEY, a personal access token or the
// console session cookie. Runs on /trpc and /api requests only, never on the relay path;
// user roles and statuses come from the in-memory store, so a warm lookup needs no query.
import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { Store } from '../state/store.ts';
import { AccessTokens } from './access-tokens.ts';
import { crossSite, readCookie, SESSION_COOKIE, sessionCookie } from './cookies.ts';
import type { Principal } from './principal.ts';
import { PAT_PREFIX } from './secret-token.ts';
import { Sessions } from './sessions.ts';
import { LoginThrottle } from './throttle.ts';

export interface Resolved {
  principal: Principal | null;
  /** Why credentials that were sent did not authenticate (for the 401 message). */
  problem?: string;
}

export class Auth {
  readonly sessions: Sessions;
  readonly tokens: AccessTokens;
  readonly throttle: LoginThrottle;

  constructor(
    db: Kysely<Database>,
    private readonly store: Store,
    private readonly adminKey: string | undefined,
  ) {
    this.sessions = new Sessions(db);
    this.tokens = new AccessTokens(db);
    this.throttle = new LoginThrottle(db);
    // An admin change (here or, via NOTIFY, elsewhere) may have revoked something: re-read.
    store.onReload.push(() => {
      this.sessions.forget();
      this.tokens.forget();
    });
  }

  /**
   * Authenticate a request. A session due for rotation gets a new cookie through `resHeaders`
   * (absent for WebSocket upgrades, which then keep the current token).
   */
  async resolve(req: Request, resHeaders?: Headers): Promise<Resolved> {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.get('authorization') ?? '')?.[1]?.trim();
    if (bearer) return this.fromBearer(bearer);
    const cookie = readCookie(req, SESSION_COOKIE);
    if (!cookie) return { principal: null };
    if (crossSite(req)) return { principal: null, problem: 'Cross-site request refused: the session cookie is only accepted from the console\'s own origin.' };
    const s = await this.sessions.lookup(cookie);
    const user = s && this.activeUser(s.userId);
    if (!s || !user) return { principal: null, problem: 'Your session has expired or was signed out; sign in again.' };
    if (resHeaders) {
      const rotated = await this.sessions.rotateIfDue(s, cookie);
      if (rotated) resHeaders.append('set-cookie', sessionCookie(req, rotated, (s.expiresAt - Date.now()) / 1000));
    }
    return { principal: { kind: 'session', userId: user.id, role: user.role, username: user.username, sessionId: s.id } };
  }

  /** The session id a request's cookie belongs to (for logout), if it is live. */
  async sessionOf(req: Request): Promise<string | null> {
    const cookie = readCookie(req, SESSION_COOKIE);
    return cookie ? ((await this.sessions.lookup(cookie))?.id ?? null) : null;
  }

  private async fromBearer(token: string): Promise<Resolved> {
    if (this.adminKey && safeEqual(token, this.adminKey)) return { principal: { kind: 'admin-key' } };
    if (token.startsWith(PAT_PREFIX)) {
      const t = await this.tokens.lookup(token);
      const user = t && this.activeUser(t.userId);
      if (t && user) return { principal: { kind: 'pat', userId: user.id, role: user.role, username: user.username, tokenId: t.id } };
    }
    return { principal: null, problem: 'The bearer token is not valid (unknown, revoked or expired, or its account is disabled).' };
  }

  private activeUser(id: number) {
    const u = this.store.user(id);
    return u && u.status === 1 ? u : null;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
