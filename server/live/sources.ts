// Where live events come from: the log writer's committed batches (call finished, balance
// changed) and the gateway's channel events (status, key disables, test results). The
// relay itself emits "call started" (Call.announce). Nothing is built when nobody listens.
import type { CallLog, NewCallLog } from '../../db/schema.ts';
import type { GatewayEvents } from '../routing/events.ts';
import type { LogWriter } from '../logs/writer.ts';
import type { ChannelBreakerEvent, ChannelStatusEvent, ChannelTestEvent, ImportProgressEvent, KeyStatusEvent } from '../routing/events.ts';
import type { LiveBus } from './bus.ts';

/** A just-inserted log row as `logs.list` would return it. */
function logRow(id: string, log: NewCallLog): CallLog {
  return { ...log, id, created_at: new Date(log.created_at!) } as CallLog;
}

export function connectLiveSources(gw: { events: GatewayEvents; writer: Pick<LogWriter, 'onCommitted'> }, bus: LiveBus): () => void {
  gw.writer.onCommitted.push((batch, committed) => {
    if (!bus.active) return;
    for (const s of batch) {
      const id = committed.ids?.get(s.log.request_id);
      if (id) bus.emit({ type: 'call.finished', log: logRow(id, s.log) });
    }
    for (const [userId, balance] of committed.balances) bus.emit({ type: 'balance.changed', userId, balance });
  });
  const onStatus = (e: ChannelStatusEvent) => { if (bus.active) bus.emit({ type: 'channel.status', ...e }); };
  const onKey = (e: KeyStatusEvent) => { if (bus.active) bus.emit({ type: 'channel.key', ...e }); };
  const onBreaker = (e: ChannelBreakerEvent) => { if (bus.active) bus.emit({ type: 'channel.breaker', ...e }); };
  const onTest = (e: ChannelTestEvent) => { if (bus.active) bus.emit({ type: 'test.progress', ...e }); };
  const onImport = (e: ImportProgressEvent) => { if (bus.active) bus.emit({ type: 'import.progress', ...e }); };
  gw.events.on('channel.status', onStatus);
  gw.events.on('channel.key', onKey);
  gw.events.on('channel.breaker', onBreaker);
  gw.events.on('channel.test', onTest);
  gw.events.on('import.progress', onImport);
  return () => {
    gw.events.off('channel.status', onStatus);
    gw.events.off('channel.key', onKey);
    gw.events.off('channel.breaker', onBreaker);
    gw.events.off('channel.test', onTest);
    gw.events.off('import.progress', onImport);
  };
}
