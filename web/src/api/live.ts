// Live events (server/live/events.ts) over the WebSocket subscription `live.events`. While the
// subscription is not running (connecting, or a server without it) the caller is told so
// and the log is polled instead, so the tail still moves.
import type { CallLog } from '../../../db/schema.ts';
import type { ImportProgress } from '../../../server/importer/report.ts';
import type { Lagged, LiveEvent as ServerLiveEvent } from '../../../server/live/events.ts';
import { api } from './client.ts';

export type LogRow = CallLog & { inflight?: boolean };

/**
 * What `live.events` carries (server/live/events.ts), plus `import.progress`, which the
 * Import page shows once the server forwards the importer's progress to live subscribers.
 */
export type LiveEvent = ServerLiveEvent | Lagged | ({ type: 'import.progress' } & ImportProgress);

/**
 * connecting: first connect; live: events flowing; polling: no subscription (yet), the log is
 * polled; reconnecting: the socket was lost and is being reopened with backoff.
 */
export type LiveMode = 'connecting' | 'live' | 'polling' | 'reconnecting';

export interface LogFilters {
  model?: string;
  keyId?: number;
  userId?: number;
  /** A username (server/logs/query.ts resolves it); `matches` needs it resolved to `userId`. */
  user?: string;
  channelId?: number;
  status?: 'ok' | '4xx' | '5xx' | 'error';
  stream?: boolean;
  q?: string;
}

/** One page of the log, newest first. */
export async function fetchLogs(filters: LogFilters, limit = 50): Promise<CallLog[]> {
  return (await api.logs.list.query({ ...filters, limit })).rows;
}

/** Every call created at or after `since`, newest first, up to `max` rows (walks the keyset pages). */
export async function fetchLogsSince(filters: LogFilters, since: Date, max: number): Promise<CallLog[]> {
  const out: CallLog[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.logs.list.query({ ...filters, from: since, cursor, limit: Math.min(100, max - out.length) });
    out.push(...page.rows);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/** Same predicate as the server's filter (server/logs/query.ts), for events pushed live. */
export function matches(f: LogFilters, log: CallLog): boolean {
  if (f.model && log.model !== f.model) return false;
  if (f.keyId !== undefined && log.key_id !== f.keyId) return false;
  if (f.userId !== undefined && log.user_id !== f.userId) return false;
  if (f.channelId !== undefined && log.channel_id !== f.channelId) return false;
  if (f.stream !== undefined && log.stream !== f.stream) return false;
  if (f.status === 'ok' && log.status >= 400) return false;
  if (f.status === '4xx' && (log.status < 400 || log.status >= 500)) return false;
  if (f.status === '5xx' && log.status < 500) return false;
  if ((f.status === 'error' || f.q) && log.status < 400) return false;
  if (f.q && !(log.error_message ?? '').toLowerCase().includes(f.q.toLowerCase())) return false;
  return true;
}

/**
 * Subscribe to live events. `onMode` says whether events are flowing ('live'), the socket is
 * being reopened after a loss ('reconnecting'), or the caller should poll ('polling').
 * `onResumed` runs when events flow again after a loss: what happened in between was not
 * pushed, so the caller backfills it from the log. Returns the unsubscribe function.
 */
export function subscribeLive(onEvent: (e: LiveEvent) => void, onMode: (m: LiveMode) => void, types?: string[], onResumed?: () => void): () => void {
  onMode('connecting');
  let stopped = false;
  let lost = false;
  let everStarted = false;
  // Until the server confirms the subscription, poll so nothing is missed.
  const fallback = setTimeout(() => { if (!stopped) onMode('polling'); }, 1500);
  let sub: { unsubscribe(): void } | null = null;
  try {
    sub = api.live.events.subscribe((types ? { types } : {}) as never, {
      // Also after every reconnect: the client resubscribes on the new socket.
      onStarted: () => {
        clearTimeout(fallback);
        everStarted = true;
        onMode('live');
        if (lost) { lost = false; onResumed?.(); }
      },
      onConnectionStateChange: (s) => {
        // `connecting` with an error: the socket closed (server gone, PONG missed); the client retries with backoff.
        // Never started at all (a proxy without WebSockets): poll instead.
        if (s.state === 'connecting' && s.error && !stopped) {
          clearTimeout(fallback);
          lost = everStarted;
          onMode(everStarted ? 'reconnecting' : 'polling');
        }
      },
      onData: (e) => onEvent(e as LiveEvent),
      onError: () => { clearTimeout(fallback); onMode('polling'); },
      onStopped: () => { if (!stopped) onMode('polling'); },
    });
  } catch {
    onMode('polling');
  }
  return () => {
    stopped = true;
    clearTimeout(fallback);
    sub?.unsubscribe();
  };
}
