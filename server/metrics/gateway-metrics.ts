// The gateway's Prometheus metrics. Call metrics come from the log writer's committed
// batches (off the hot path, each call counted once); pool states and live counters are
// read at scrape time. Counters are per instance, as Prometheus expects.
import type { Gateway } from '../context.ts';
import { Counter, Gauge, Histogram, Registry } from './registry.ts';

const LATENCY_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const OVERHEAD_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1];
const CHANNEL_STATUS: Record<number, string> = { 1: 'enabled', 2: 'disabled', 3: 'auto_disabled' };
/** The `kind` label of switchboard_tokens_total and the log column it sums, in CallGroup.tokens order. */
const TOKEN_KINDS = [['prompt', 'prompt_tokens'], ['completion', 'completion_tokens'], ['cached', 'cached_tokens'],
  ['cache_write', 'cache_write_tokens'], ['reasoning', 'reasoning_tokens']] as const;

interface CallGroup { labels: string[]; calls: number; tokens: number[]; cost: bigint }

export function createGatewayMetrics(gw: Gateway): Registry {
  const r = new Registry();
  const requests = r.add(new Counter('switchboard_requests_total', 'Relayed calls by requested model, serving channel id and HTTP status.', ['model', 'channel', 'status']));
  const latency = r.add(new Histogram('switchboard_request_duration_seconds', 'Call latency from arrival to the last byte.', LATENCY_S, ['stream']));
  const overhead = r.add(new Histogram('switchboard_gateway_overhead_seconds', 'Time spent in the gateway itself per call (excludes the upstream).', OVERHEAD_S));
  const tokens = r.add(new Counter('switchboard_tokens_total', 'Tokens metered, by model and kind.', ['model', 'kind']));
  const cost = r.add(new Counter('switchboard_cost_nano_usd_total', 'Cost charged, in nano-USD ($1 = 1e9).', ['model']));
  const upstreamErrors = r.add(new Counter('switchboard_upstream_errors_total', 'Failed upstream attempts by channel id and status (0: no HTTP answer).', ['channel', 'status']));

  r.add(new Gauge('switchboard_channels', 'Channels by status.', ['status'], () => {
    const n = new Map<string, number>(Object.values(CHANNEL_STATUS).map((s) => [s, 0]));
    for (const c of gw.store.channels()) {
      const s = CHANNEL_STATUS[c.status] ?? String(c.status);
      n.set(s, (n.get(s) ?? 0) + 1);
    }
    return [...n].map(([s, v]) => [[s], v]);
  }));
  r.add(new Gauge('switchboard_channel_keys', 'Upstream keys per channel by state.', ['channel', 'state'], () => {
    const now = Date.now();
    const out: Array<[string[], number]> = [];
    for (const c of gw.store.channels()) {
      const n = { enabled: 0, cooling: 0, disabled: 0 };
      for (const k of c.keys) {
        if (k.status !== 1) n.disabled++;
        else if (k.cooldownUntil > now) n.cooling++;
        else n.enabled++;
      }
      for (const [state, v] of Object.entries(n)) out.push([[String(c.id), state], v]);
    }
    return out;
  }));
  r.add(new Gauge('switchboard_circuit_breaker_state', 'Circuit breaker per channel id and model on this instance: 0 closed (with failures counted), 1 open, 2 half-open.', ['channel', 'model'], () =>
    gw.routing.breakers.list().map((b) => [[String(b.channelId), b.model], b.state === 'closed' ? 0 : b.state === 'open' ? 1 : 2])));
  r.add(new Gauge('switchboard_live_subscribers', 'Live event subscribers connected to this instance.', [], () => [[[], gw.live.subscribers]]));
  r.add(new Gauge('switchboard_live_events_delivered_total', 'Live events handed to subscribers of this instance.', [], () => [[[], gw.live.counters.delivered]], 'counter'));
  r.add(new Gauge('switchboard_live_events_dropped_total', 'Live events dropped because a subscriber was too slow.', [], () => [[[], gw.live.counters.droppedEvents]], 'counter'));
  r.add(new Gauge('switchboard_live_subscribers_dropped_total', 'Live subscribers disconnected for falling too far behind.', [], () => [[[], gw.live.counters.droppedSubscribers]], 'counter'));
  r.add(new Gauge('switchboard_log_writer_backlog', 'Calls waiting for the next log flush.', [], () => [[[], gw.writer.backlog]]));

  gw.writer.onCommitted.push((batch, committed) => {
    // A batch is hundreds of calls of a few kinds: sum per (model, channel, status) first,
    // then one counter update per group.
    const groups = new Map<string, CallGroup>();
    for (const { log } of batch) {
      if (committed.ids && !committed.ids.has(log.request_id)) continue;
      latency.observe((log.latency_ms ?? 0) / 1000, [log.stream ? 'true' : 'false']);
      if (log.overhead_us) overhead.observe(log.overhead_us / 1e6);
      const model = log.model ?? '';
      const channel = log.channel_id === null || log.channel_id === undefined ? '' : String(log.channel_id);
      const k = `${model}\u0000${channel}\u0000${log.status}`;
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { labels: [model, channel, String(log.status)], calls: 0, tokens: TOKEN_KINDS.map(() => 0), cost: 0n }));
      g.calls++;
      for (let i = 0; i < TOKEN_KINDS.length; i++) g.tokens[i]! += log[TOKEN_KINDS[i]![1]] ?? 0;
      if (log.cost) g.cost += BigInt(log.cost);
      for (const a of log.attempts ?? []) if (a.status < 200 || a.status >= 300) upstreamErrors.inc([String(a.channel_id), String(a.status)]);
    }
    for (const g of groups.values()) {
      requests.inc(g.labels, g.calls);
      const model = g.labels[0]!;
      TOKEN_KINDS.forEach(([kind], i) => { if (g.tokens[i]) tokens.inc([model, kind], g.tokens[i]); });
      if (g.cost) cost.inc([model], g.cost);
    }
  });
  return r;
}
