// What live subscribers receive, and who may see what: admins (owner null) see every
// event; a `user` principal sees only its own calls and balance.
import type { CallLog } from '../../db/schema.ts';
import type { ChannelBreakerEvent, ChannelStatusEvent, ChannelTestEvent, ImportProgressEvent, KeyStatusEvent } from '../routing/events.ts';

export interface CallStarted {
  type: 'call.started';
  requestId: string;
  at: Date;
  userId: number | null;
  keyId: number | null;
  endpoint: string;
  model: string;
  stream: boolean;
}

export type LiveEvent =
  | CallStarted
  /** The log row as `logs.list` returns it. */
  | { type: 'call.finished'; log: CallLog }
  | { type: 'balance.changed'; userId: number; balance: bigint }
  | ({ type: 'channel.status' } & ChannelStatusEvent)
  | ({ type: 'channel.key' } & KeyStatusEvent)
  /** A channel × model circuit breaker opened or closed on the instance that emitted it. */
  | ({ type: 'channel.breaker' } & ChannelBreakerEvent)
  /** An operator alert was recorded (server/alerts): the console's notice, in real time. */
  | { type: 'alert.raised'; id: bigint; kind: string; severity: string; subject: string; message: string; at: Date }
  | ({ type: 'test.progress' } & ChannelTestEvent)
  | ({ type: 'import.progress' } & ImportProgressEvent);

export type LiveEventType = LiveEvent['type'];

export const LIVE_EVENT_TYPES = ['call.started', 'call.finished', 'balance.changed', 'channel.status', 'channel.key', 'channel.breaker', 'alert.raised', 'test.progress', 'import.progress'] as const satisfies readonly LiveEventType[];

/** What a subscriber gets instead of events it was too slow to take. */
export interface Lagged {
  type: 'lagged';
  dropped: number;
}

/** The user an event belongs to; null for operator events (channels, tests). */
export function ownerOf(e: LiveEvent): number | null {
  switch (e.type) {
    case 'call.started': return e.userId;
    case 'call.finished': return e.log.user_id;
    case 'balance.changed': return e.userId;
    default: return null;
  }
}

/** `owner` is the viewer's restriction: null sees everything, a user id sees only that user's events. */
export function visibleTo(owner: number | null, e: LiveEvent): boolean {
  if (owner === null) return true;
  const o = ownerOf(e);
  return o !== null && o === owner;
}
