// Gateway events for other modules (the live console fans them out to WebSocket
// subscribers). Emitted after the change is persisted.
import { EventEmitter } from 'node:events';
import type { ImportProgress } from '../importer/index.ts';

export type ChannelEventSource = 'health' | 'probe' | 'test' | 'admin';

export interface ChannelStatusEvent {
  channelId: number;
  name: string;
  /** 1 enabled, 2 disabled by hand, 3 disabled automatically. */
  status: number;
  previous: number;
  reason: string | null;
  /** Who changed it: the health window, a background probe, a channel test, or an admin. */
  source: ChannelEventSource;
  at: Date;
}

export interface KeyStatusEvent {
  channelId: number;
  keyId: number;
  status: number;
  reason: string | null;
  at: Date;
}

/** A channel × model circuit breaker opened (after consecutive failures) or closed (served again). */
export interface ChannelBreakerEvent {
  channelId: number;
  name: string;
  model: string;
  state: 'open' | 'closed';
  reason: string | null;
  at: Date;
}

export interface ChannelTestEvent {
  runId: string | null;
  channelId: number;
  model: string;
  success: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

/** Progress of a One API import run started from the admin API. */
export interface ImportProgressEvent extends ImportProgress {
  runId: string;
  dryRun: boolean;
  actor: string;
  at: Date;
}

export interface GatewayEventMap {
  'channel.status': [ChannelStatusEvent];
  'channel.key': [KeyStatusEvent];
  'channel.test': [ChannelTestEvent];
  'channel.breaker': [ChannelBreakerEvent];
  'import.progress': [ImportProgressEvent];
}

export type GatewayEvents = EventEmitter<GatewayEventMap>;

export const createGatewayEvents = (): GatewayEvents => new EventEmitter<GatewayEventMap>();
