// The one way a channel's status changes (health, probes, tests, admins): the in-memory
// entry first, so routing reacts at once, then the row, an event, and the caches.
import type { RoutingDeps } from './deps.ts';
import type { ChannelStatusEvent } from './events.ts';

export interface StatusChange {
  status: 1 | 2 | 3;
  reason: string | null;
  source: ChannelStatusEvent['source'];
  /** Change only from these statuses (a channel disabled by hand is never re-enabled automatically). */
  onlyFrom?: number[];
}

/** Returns false when the channel is missing or not in an `onlyFrom` status. */
export async function setChannelStatus(gw: RoutingDeps, channelId: number, change: StatusChange): Promise<boolean> {
  const entry = gw.store.channel(channelId);
  const previous = entry?.status;
  if (entry && change.onlyFrom && !change.onlyFrom.includes(entry.status)) return false;
  if (entry) entry.status = change.status;
  let q = gw.db.db.updateTable('channels')
    .set({ status: change.status, status_reason: change.reason?.slice(0, 1000) ?? null, updated_at: new Date() })
    .where('id', '=', channelId);
  if (change.onlyFrom) q = q.where('status', 'in', change.onlyFrom);
  const row = await q.returning(['name']).executeTakeFirst();
  gw.routing.health.reset(channelId);
  if (change.status === 1) gw.routing.trippedModel.delete(channelId);
  // Any status change starts the channel's breakers afresh (re-enabled: closed; disabled: not routed).
  gw.routing.breakers.reset(channelId);
  if (!row) {
    if (entry && previous !== undefined) entry.status = previous;
    return false;
  }
  gw.events.emit('channel.status', {
    channelId, name: row.name, status: change.status, previous: previous ?? change.status, reason: change.reason,
    source: change.source, at: new Date(),
  });
  gw.log.info('channel status changed', { channel_id: channelId, status: change.status, reason: change.reason, source: change.source });
  // Routes and other instances follow (the entry here already has the new status).
  await gw.invalidate();
  return true;
}
