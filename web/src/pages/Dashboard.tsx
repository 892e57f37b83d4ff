// Dashboard: totals and trends from the hourly rollups (stats.usage), the top models and
// keys, channel health, and a live calls-per-second counter from the event stream.
import { createMemo, createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { api } from '../api/client.ts';
import { subscribeLive } from '../api/live.ts';
import { Chart } from '../components/Chart.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty, ErrorNotice } from '../components/States.tsx';
import { compact, duration, moneyShort, num, percent, usdAxis, usdNumber } from '../format.ts';
import { type MessageKey, t } from '../i18n/index.ts';
import { isAdmin } from '../session.ts';
import { statusTone } from './channels/types.ts';

type Range = '24h' | '7d' | '30d';
const HOUR = 3_600_000;
const RANGES: Record<Range, { ms: number; bucket: 'hour' | 'day' }> = {
  '24h': { ms: 24 * HOUR, bucket: 'hour' },
  '7d': { ms: 7 * 24 * HOUR, bucket: 'day' },
  '30d': { ms: 30 * 24 * HOUR, bucket: 'day' },
};
type StatsRow = Awaited<ReturnType<typeof api.stats.usage.query>>[number];
const errors = (r: StatsRow) => r.errors4xx + r.errors5xx;
const tokens = (r: StatsRow) => r.promptTokens + r.completionTokens;

/** Calls per second over the last 10 s of `call.finished` events. */
function useCallRate() {
  const WINDOW_MS = 10_000;
  const [stamps, setStamps] = createSignal<number[]>([]);
  const [live, setLive] = createSignal(false);
  const stop = subscribeLive((e) => { if (e.type === 'call.finished') setStamps((s) => [...s, Date.now()]); }, (m) => setLive(m === 'live'), ['call.finished']);
  const tick = setInterval(() => setStamps((s) => s.filter((x) => x > Date.now() - WINDOW_MS)), 1000);
  onCleanup(() => { stop(); clearInterval(tick); });
  return { rate: () => stamps().length / (WINDOW_MS / 1000), live };
}

export default function Dashboard() {
  const [range, setRange] = createSignal<Range>('24h');
  const window = createMemo(() => {
    const spec = RANGES[range()];
    const step = spec.bucket === 'hour' ? HOUR : 24 * HOUR;
    const to = new Date(Math.ceil(Date.now() / step) * step);
    return { from: new Date(to.getTime() - spec.ms), to, bucket: spec.bucket, step };
  });
  const query = (groupBy: 'none' | 'model' | 'key' | 'channel' | 'hour' | 'day') =>
    api.stats.usage.query({ from: window().from, to: window().to, groupBy });
  const [totals] = createResource(window, () => query('none'));
  const [series] = createResource(window, (w) => query(w.bucket));
  const [byModel] = createResource(window, () => query('model'));
  const [byKey] = createResource(window, () => query('key'));
  const [byChannel] = createResource(window, async () => (isAdmin() ? await query('channel') : []));
  const [keys] = createResource(() => api.keys.list.query({}).catch(() => []));
  const [channels] = createResource(async () => (isAdmin() ? await api.channels.list.query() : []));
  const { rate, live } = useCallRate();

  const total = () => totals()?.[0];
  const points = createMemo(() => {
    const w = window();
    const rows = new Map((series() ?? []).map((r) => [new Date(r.key as Date).getTime(), r]));
    const xs: number[] = [];
    const out = { calls: [] as number[], errors: [] as number[], tokens: [] as number[], cost: [] as number[], errorRate: [] as number[] };
    for (let at = w.from.getTime(); at < w.to.getTime(); at += w.step) {
      const r = rows.get(at);
      xs.push(at / 1000);
      out.calls.push(r?.calls ?? 0);
      out.errors.push(r ? errors(r) : 0);
      out.tokens.push(r ? tokens(r) : 0);
      out.cost.push(r ? usdNumber(r.cost) : 0);
      out.errorRate.push(r && r.calls ? (errors(r) / r.calls) * 100 : 0);
    }
    return { xs, ...out };
  });
  const top = (rows: StatsRow[] | undefined) => [...(rows ?? [])].sort((a, b) => Number(b.cost - a.cost) || b.calls - a.calls).slice(0, 8);
  const keyName = (id: unknown) => keys()?.find((k) => k.id === Number(id))?.name ?? (Number(id) ? `#${id}` : t('dashboard.noKey'));
  const channelStats = (id: number) => byChannel()?.find((r) => Number(r.key) === id);

  const Stat = (p: { label: MessageKey; value: string; sub?: string; testid?: string }) => (
    <div class="card card-body stat" data-testid={p.testid}>
      <div class="label">{t(p.label)}</div>
      <div class="value">{p.value}</div>
      <Show when={p.sub}><div class="sub">{p.sub}</div></Show>
    </div>
  );

  return (
    <>
      <PageHead title={t('dashboard.title')} description={t('dashboard.description')}>
        <div class="segmented" role="group" aria-label={t('dashboard.range')}>
          <For each={Object.keys(RANGES) as Range[]}>{(r) => <button aria-pressed={range() === r} onClick={() => setRange(r)}>{t(`dashboard.ranges.${r}`)}</button>}</For>
        </div>
      </PageHead>
      <ErrorNotice error={totals.error} />
      <div class="stack">
        <div class="grid grid-4">
          <Stat label="dashboard.calls" value={num(total()?.calls ?? 0)} sub={t('dashboard.p50', { ms: duration(total()?.p50LatencyMs) })} />
          <Stat label="dashboard.tokens" value={compact(total() ? tokens(total()!) : 0)} sub={t('dashboard.tokenSplit', { prompt: compact(total()?.promptTokens), completion: compact(total()?.completionTokens) })} />
          <Stat label="dashboard.cost" value={moneyShort(total()?.cost ?? 0n)} />
          <Stat label="dashboard.errorRate" value={percent(total() && total()!.calls ? errors(total()!) / total()!.calls : 0)} sub={t('dashboard.errorSplit', { c: num(total()?.errors4xx), s: num(total()?.errors5xx) })} />
          <div class="card card-body stat" data-testid="calls-per-second">
            <div class="label"><Show when={live()}><span class="pulse" aria-hidden="true" /></Show>{t('dashboard.liveRate')}</div>
            <div class="value" aria-live="polite">{rate().toFixed(1)}</div>
            <div class="sub">{live() ? t('dashboard.liveRateHint') : t('dashboard.liveUnavailable')}</div>
          </div>
        </div>

        <div class="grid charts">
          <div class="card"><div class="card-head"><h2>{t('dashboard.callsOverTime')}</h2></div><div class="card-body">
            <Chart label={t('dashboard.callsOverTime')} x={points().xs} ys={[points().calls, points().errors]}
              series={[{ label: t('dashboard.calls'), color: '#6366f1', format: (v) => num(v) }, { label: t('dashboard.errors'), color: '#ef4444', format: (v) => num(v) }]} />
          </div></div>
          <div class="card"><div class="card-head"><h2>{t('dashboard.tokensOverTime')}</h2></div><div class="card-body">
            <Chart label={t('dashboard.tokensOverTime')} x={points().xs} ys={[points().tokens]} series={[{ label: t('dashboard.tokens'), color: '#0ea5e9', format: (v) => compact(v), bars: true }]} />
          </div></div>
          <div class="card"><div class="card-head"><h2>{t('dashboard.costOverTime')}</h2></div><div class="card-body">
            <Chart label={t('dashboard.costOverTime')} x={points().xs} ys={[points().cost]} series={[{ label: t('dashboard.cost'), color: '#10b981', format: usdAxis, bars: true }]} />
          </div></div>
          <div class="card"><div class="card-head"><h2>{t('dashboard.errorRateOverTime')}</h2></div><div class="card-body">
            <Chart label={t('dashboard.errorRateOverTime')} x={points().xs} ys={[points().errorRate]} series={[{ label: t('dashboard.errorRate'), color: '#f59e0b', format: (v) => `${v.toFixed(1)}%` }]} />
          </div></div>
        </div>

        <div class="grid grid-2">
          <TopTable title={t('dashboard.topModels')} rows={top(byModel())} name={(r) => String(r.key)} mono />
          <TopTable title={t('dashboard.topKeys')} rows={top(byKey())} name={(r) => keyName(r.key)} />
        </div>

        <Show when={isAdmin()}>
          <div class="card">
            <div class="card-head"><h2>{t('dashboard.channelHealth')}</h2></div>
            <div class="table-wrap">
              <table class="table">
                <thead><tr><th scope="col">{t('channels.name')}</th><th scope="col">{t('channels.statusLabel')}</th><th scope="col" class="num">{t('dashboard.calls')}</th><th scope="col" class="num">{t('dashboard.errorRate')}</th><th scope="col" class="num">{t('dashboard.p90')}</th><th scope="col" class="num">{t('channels.lastTest')}</th></tr></thead>
                <tbody>
                  <For each={channels()}>{(ch) => {
                    const s = () => channelStats(ch.id);
                    return (
                      <tr>
                        <td>{ch.name}</td>
                        <td><span class={`badge ${statusTone(ch.status)}`} title={ch.statusReason ?? undefined}>{t(`channels.status.${ch.status === 1 ? 1 : ch.status === 3 ? 3 : 2}`)}</span></td>
                        <td class="num">{num(s()?.calls ?? 0)}</td>
                        <td class="num">{s()?.calls ? percent(errors(s()!) / s()!.calls) : '—'}</td>
                        <td class="num">{duration(s()?.p90LatencyMs)}</td>
                        <td class="num">{ch.testLatencyMs !== null ? duration(ch.testLatencyMs) : '—'}</td>
                      </tr>
                    );
                  }}</For>
                </tbody>
              </table>
              <Show when={channels()?.length === 0}><Empty>{t('channels.empty')}</Empty></Show>
            </div>
          </div>
        </Show>
      </div>
    </>
  );
}

function TopTable(props: { title: string; rows: StatsRow[]; name: (r: StatsRow) => string; mono?: boolean }) {
  const max = () => Math.max(...props.rows.map((r) => usdNumber(r.cost)), 1e-12);
  return (
    <div class="card">
      <div class="card-head"><h2>{props.title}</h2></div>
      <Show when={props.rows.length} fallback={<Empty>{t('dashboard.noUsage')}</Empty>}>
        <div class="table-wrap">
          <table class="table">
            <thead><tr><th scope="col">{t('dashboard.name')}</th><th scope="col" class="num">{t('dashboard.calls')}</th><th scope="col" class="num">{t('dashboard.tokens')}</th><th scope="col" class="num">{t('dashboard.cost')}</th><th scope="col" style={{ width: '25%' }}><span class="sr-only">{t('dashboard.share')}</span></th></tr></thead>
            <tbody>
              <For each={props.rows}>{(r) => (
                <tr>
                  <td classList={{ mono: props.mono }}>{props.name(r)}</td>
                  <td class="num">{num(r.calls)}</td>
                  <td class="num">{compact(tokens(r))}</td>
                  <td class="num">{moneyShort(r.cost)}</td>
                  <td><div class="bar" style={{ width: `${(usdNumber(r.cost) / max()) * 100}%` }} /></td>
                </tr>
              )}</For>
            </tbody>
          </table>
        </div>
      </Show>
    </div>
  );
}
