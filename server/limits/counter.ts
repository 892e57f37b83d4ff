// Shared sliding-window counters behind the rate limiter: Postgres (default) or Redis
// (REDIS_URL). A window is WINDOW_MS long and counted in BUCKET_MS buckets, so it slides
// in one-second steps; both backends take from several windows atomically, all or nothing.

export const WINDOW_MS = 60_000;
export const BUCKET_MS = 1_000;

export interface Take {
  /** e.g. `key:12:rpm`. */
  subject: string;
  limit: number;
  /** Requests or tokens to take; 0 only checks the window is not already full. */
  amount: number;
}

export interface Window {
  subject: string;
  /** Used in the window after this take (before it, when the take was refused). */
  used: number;
  /** Milliseconds until the oldest counted bucket leaves the window. */
  resetMs: number;
}

export interface TakeResult {
  allowed: boolean;
  windows: Window[];
}

export interface Counter {
  take(items: Take[]): Promise<TakeResult>;
  /** Correct a window after the fact (actual tokens − estimated); may be negative. */
  add(subjects: string[], amount: number): Promise<void>;
  close(): Promise<void>;
}
