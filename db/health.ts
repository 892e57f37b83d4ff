// Whether the database answers. A query failing because the server is unreachable (refused,
// closed, shut down, timed out) marks it down; while down, every query fails at once with
// DatabaseUnavailable instead of queueing behind a dead socket, and a probe asks the server
// every second until it answers again. Callers that need the database on the request path
// (lease claims, rate counters) turn DatabaseUnavailable into a 503.

/** The database cannot be reached (or did not answer in time); retry later. */
export class DatabaseUnavailable extends Error {
  override readonly name = 'DatabaseUnavailable';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
  }
}

// Errors that say the server or the connection is gone, not that a statement was wrong:
// socket errors, postgres.js connection errors, and SQLSTATE class 08 / 57P01–57P03.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  '57P01', '57P02', '57P03',
]);

export function isUnreachable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailable) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return UNREACHABLE_CODES.has(code) || code.startsWith('08');
}

export interface HealthSnapshot {
  up: boolean;
  /** When the current state began (ms since epoch). */
  since: number;
  /** Why it is down (the last connection error), null when up. */
  error: string | null;
}

export class DatabaseHealth {
  private up = true;
  private since = Date.now();
  private error: string | null = null;
  private probing: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  /** Called once each time the database answers again after being down. */
  readonly onRecovered: Array<() => void> = [];
  /** Called once each time it goes down, with the error. */
  readonly onLost: Array<(error: unknown) => void> = [];

  constructor(
    /** One trivial round trip that bypasses the fail-fast gate (e.g. `select 1` on the raw client). */
    private readonly ping: () => Promise<unknown>,
    private readonly probeMs = 1_000,
  ) {}

  get isUp(): boolean {
    return this.up;
  }

  snapshot(): HealthSnapshot {
    return { up: this.up, since: this.since, error: this.error };
  }

  /** Throws DatabaseUnavailable while the database is known to be down. */
  check(): void {
    if (!this.up) throw new DatabaseUnavailable(`database unavailable: ${this.error ?? 'not answering'}`);
  }

  /** A query failed: if the failure says the server is gone, go down and start probing. */
  failed(error: unknown): void {
    if (this.closed || !isUnreachable(error)) return;
    if (this.up) {
      this.up = false;
      this.since = Date.now();
      this.error = describe(error);
      for (const fn of this.onLost) safely(() => fn(error));
    }
    this.schedule(0);
  }

  close(): void {
    this.closed = true;
    if (this.probing) clearTimeout(this.probing);
    this.probing = null;
  }

  private schedule(delay: number): void {
    if (this.probing || this.closed) return;
    this.probing = setTimeout(() => {
      this.ping().then(
        () => {
          this.probing = null;
          if (this.closed || this.up) return;
          this.up = true;
          this.since = Date.now();
          this.error = null;
          for (const fn of this.onRecovered) safely(fn);
        },
        (error) => {
          this.probing = null;
          if (!this.up) this.error = describe(error);
          this.schedule(this.probeMs);
        },
      );
    }, delay);
    this.probing.unref?.();
  }
}

function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  const msg = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.code === 'string' && !msg.includes(e.code) ? `${e.code}: ${msg}` : msg;
}

function safely(fn: () => void): void {
  try { fn(); } catch { /* a listener's failure is not the database's */ }
}
