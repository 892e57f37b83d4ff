// Where alerts come from, and the delivery loop. Each source raises on the instance where
// the condition happened; `dedupe` keys (condition + period) keep several instances from
// raising the same one twice:
// - a channel auto-disabled by its health window, or re-enabled by a probe or test
//   (changes made by an admin raise nothing);
// - a channel × model breaker open for `breakerAlertAfterMs` (once per hour per pair);
// - a channel whose last enabled key was disabled (auth or quota error);
// - a user's balance, or a key's remaining total budget, below `lowBalanceUsd` after a
//   flush charged it (once per subject per UTC day).
import { usdToNano } from '../billing/money.ts';
import type { Gateway } from '../context.ts';
import type { ChannelStatusEvent, KeyStatusEvent } from '../routing/events.ts';
import { routingSettings } from '../routing/settings.ts';
import { raiseAlert } from './raise.ts';
import { alertSettings } from './settings.ts';
import { deliverDue } from './webhook.ts';

const TICK_MS = 1_000;

export interface AlertsRunner {
  /** Deliver what is due now (tests, the admin `alerts.test`). */
  kick(): Promise<void>;
  stop(): Promise<void>;
}

const day = () => new Date().toISOString().slice(0, 10);
const hour = () => new Date().toISOString().slice(0, 13);

export function startAlerts(gw: Gateway): AlertsRunner {
  const onStatus = (e: ChannelStatusEvent) => {
    if (e.status === 3 && e.previous !== 3 && e.source === 'health') {
      raiseAlert(gw, { kind: 'channel.auto_disabled', severity: 'critical', subject: `channel:${e.channelId}`, message: `Channel "${e.name}" (#${e.channelId}) was disabled automatically: ${e.reason ?? 'errors'}`, data: { channelId: e.channelId, name: e.name, reason: e.reason } });
    } else if (e.status === 1 && e.previous === 3 && e.source !== 'admin') {
      raiseAlert(gw, { kind: 'channel.re_enabled', severity: 'info', subject: `channel:${e.channelId}`, message: `Channel "${e.name}" (#${e.channelId}) passed a ${e.source} and was re-enabled.`, data: { channelId: e.channelId, name: e.name, source: e.source } });
    }
  };
  const onKey = (e: KeyStatusEvent) => {
    if (e.status !== 3) return;
    const channel = gw.store.channel(e.channelId);
    if (!channel || channel.keys.some((k) => k.status === 1)) return;
    raiseAlert(gw, {
      kind: 'channel.keys_exhausted', severity: 'critical', subject: `channel:${channel.id}`, dedupe: `keys_exhausted:${channel.id}:${hour()}`,
      message: `Channel "${channel.name}" (#${channel.id}) has no usable key left; the last one was disabled: ${e.reason ?? ''}`.trim(),
      data: { channelId: channel.id, name: channel.name, keyId: e.keyId, reason: e.reason },
    });
  };
  gw.events.on('channel.status', onStatus);
  gw.events.on('channel.key', onKey);

  // Low balances: what a flush just charged.
  const raisedToday = new Set<string>();
  gw.writer.onCommitted.push((batch, committed) => {
    const threshold = usdToNano(alertSettings(gw.store).lowBalanceUsd);
    if (threshold <= 0n) return;
    const today = day();
    for (const [userId, balance] of committed.balances) {
      if (balance >= threshold) continue;
      const user = gw.store.user(userId);
      if (!user || user.unlimited) continue;
      const dedupe = `balance.low:user:${userId}:${today}`;
      if (raisedToday.has(dedupe)) continue;
      raisedToday.add(dedupe);
      raiseAlert(gw, { kind: 'balance.low', severity: 'warning', subject: `user:${userId}`, dedupe, message: `User "${user.username}" (#${userId}) balance is $${usd(balance)}, below $${alertSettings(gw.store).lowBalanceUsd}.`, data: { userId, username: user.username, balance: balance.toString() } });
    }
    const keys = new Set<number>();
    for (const s of batch) if (s.cost > 0n && s.keyId !== null) keys.add(s.keyId);
    for (const keyId of keys) {
      const key = gw.store.keyById(keyId);
      if (!key || key.budget === null) continue;
      const left = key.budget - gw.accounts.keyUsed(keyId);
      if (left >= threshold) continue;
      const dedupe = `key_budget.low:key:${keyId}:${today}`;
      if (raisedToday.has(dedupe)) continue;
      raisedToday.add(dedupe);
      raiseAlert(gw, { kind: 'key_budget.low', severity: 'warning', subject: `key:${keyId}`, dedupe, message: `API key "${key.name}" (#${keyId}) has $${usd(left)} of its budget left, below $${alertSettings(gw.store).lowBalanceUsd}.`, data: { keyId, name: key.name, remaining: left.toString() } });
    }
    if (raisedToday.size > 10_000) raisedToday.clear();
  });

  let running: Promise<void> | null = null;
  const tick = async () => {
    const s = routingSettings(gw.store);
    for (const b of gw.routing.breakers.takeLongOpen(s.breakerAlertAfterMs)) {
      const channel = gw.store.channel(b.channelId);
      raiseAlert(gw, {
        kind: 'channel.breaker_open', severity: 'warning', subject: `channel:${b.channelId}`, dedupe: `breaker:${b.channelId}:${b.model}:${hour()}`,
        message: `Channel "${channel?.name ?? b.channelId}" (#${b.channelId}) has failed "${b.model}" for ${Math.round(s.breakerAlertAfterMs / 1000)} s+ (circuit breaker open since ${b.openedAt!.toISOString()}); last: ${b.lastError ?? ''}`,
        data: { channelId: b.channelId, model: b.model, openedAt: b.openedAt, lastError: b.lastError },
      });
    }
    await deliverDue(gw);
  };
  const kick = () => {
    running ??= tick().catch((error) => gw.log.warn('alert delivery failed', { error })).finally(() => { running = null; });
    return running;
  };
  const timer = setInterval(() => void kick(), TICK_MS);

  return {
    kick,
    async stop() {
      clearInterval(timer);
      gw.events.off('channel.status', onStatus);
      gw.events.off('channel.key', onKey);
      await running;
    },
  };
}

function usd(nano: bigint): string {
  const neg = nano < 0n;
  const a = neg ? -nano : nano;
  return `${neg ? '-' : ''}${a / 1_000_000_000n}.${(a % 1_000_000_000n).toString().padStart(9, '0').slice(0, 4)}`;
}
