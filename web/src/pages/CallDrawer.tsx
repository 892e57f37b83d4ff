// One call in detail: what was asked and answered, every upstream attempt, tokens, cost,
// where the time went, cache affinity, the upstream cost (admins) and the captured bodies.
import { createResource, For, Show } from 'solid-js';
import { api } from '../api/client.ts';
import type { LogRow } from '../api/live.ts';
import { Drawer } from '../components/Dialog.tsx';
import { dateTime, duration, money, num } from '../format.ts';
import { t } from '../i18n/index.ts';
import { isAdmin } from '../session.ts';
import { StatusBadge } from './call-status.tsx';

type Bodies = NonNullable<Awaited<ReturnType<typeof api.logs.get.query>>['bodies']>;

async function fetchDetail(row: LogRow): Promise<{ log: LogRow; bodies: Bodies | null }> {
  if (row.inflight || !row.id) return { log: row, bodies: null };
  try {
    const d = await api.logs.get.query({ id: row.id, createdAt: new Date(row.created_at) });
    return { log: d.log as LogRow, bodies: d.bodies };
  } catch {
    return { log: row, bodies: null };
  }
}

export function CallDrawer(props: { call: LogRow | null; onClose: () => void; keyName: (id: number | null) => string; channelName: (id: number | null) => string; userName: (id: number | null) => string }) {
  const [detail] = createResource(() => props.call, fetchDetail);
  const log = () => detail()?.log ?? props.call!;

  const breakdown = () => {
    const l = log();
    const total = Math.max(l.latency_ms, 1);
    const overhead = Math.min((l.overhead_us ?? 0) / 1000, total);
    const firstByte = Math.min(Math.max((l.ttft_ms ?? l.latency_ms) - overhead, 0), total - overhead);
    const rest = Math.max(total - overhead - firstByte, 0);
    return [
      { label: t('calls.overhead'), ms: overhead, color: 'var(--warn)' },
      { label: t('calls.waitFirstToken'), ms: firstByte, color: 'var(--accent)' },
      { label: t('calls.generation'), ms: rest, color: 'var(--ok)' },
    ].map((p) => ({ ...p, pct: (p.ms / total) * 100 }));
  };

  return (
    <Drawer open={props.call !== null} onClose={props.onClose} title={t('calls.title')}>
      <Show when={props.call}>
        <section class="stack" data-testid="call-detail">
          <div class="row"><StatusBadge row={log()} /><span class="mono">{log().model}</span><span class="muted small">{dateTime(log().created_at)}</span></div>
          <Show when={log().error_message}><div class="notice err" role="alert"><strong>{log().error_type}</strong> {log().error_message}</div></Show>
          <dl class="props">
            <dt>{t('calls.requestId')}</dt><dd class="mono">{log().request_id}</dd>
            <dt>{t('calls.endpoint')}</dt><dd class="mono">{log().endpoint}</dd>
            <dt>{t('calls.upstreamModel')}</dt><dd class="mono">{log().upstream_model ?? '—'}</dd>
            <dt>{t('logs.key')}</dt><dd>{props.keyName(log().key_id)}</dd>
            <dt>{t('logs.channel')}</dt><dd>{props.channelName(log().channel_id)}</dd>
            <dt>{t('logs.user')}</dt><dd>{props.userName(log().user_id)}</dd>
            <dt>{t('logs.stream')}</dt><dd>{log().stream ? t('common.yes') : t('common.no')}</dd>
            <dt>{t('calls.client')}</dt><dd>{[log().client_ip, log().user_agent].filter(Boolean).join(' · ') || '—'}</dd>
            <Show when={log().affinity}>{(a) => (
              <><dt>{t('calls.affinity')}</dt><dd data-testid="call-affinity"><span class={`badge ${a() === 'hit' ? 'ok' : a() === 'broken' ? 'warn' : ''}`} title={t(`calls.affinityHint.${a()}`)}>{t(`calls.affinities.${a()}`)}</span></dd></>
            )}</Show>
          </dl>

          <Show when={!log().inflight} fallback={<div class="notice">{t('calls.inflightHint')}</div>}>
            <h3>{t('logs.tokens')}</h3>
            <dl class="props">
              <dt>{t('calls.prompt')}</dt><dd>{num(log().prompt_tokens)}</dd>
              <dt>{t('calls.completion')}</dt><dd>{num(log().completion_tokens)}</dd>
              <dt>{t('calls.cached')}</dt><dd>{num(log().cached_tokens)}</dd>
              <dt>{t('calls.cacheWrite')}</dt><dd>{num(log().cache_write_tokens)}</dd>
              <dt>{t('calls.reasoning')}</dt><dd>{num(log().reasoning_tokens)}</dd>
              <dt>{t('logs.cost')}</dt><dd><strong>{money(log().cost)}</strong><Show when={log().estimated}> <span class="badge warn">{t('calls.estimated')}</span></Show></dd>
              <Show when={isAdmin()}>
                <dt>{t('calls.upstreamCost')}</dt>
                <dd data-testid="call-upstream-cost">{log().upstream_cost === null || log().upstream_cost === undefined ? <span class="muted">{t('calls.noCostPrice')}</span> : money(log().upstream_cost)}</dd>
              </Show>
            </dl>

            <h3>{t('calls.latency')}</h3>
            <div class="latency" role="img" aria-label={breakdown().map((p) => `${p.label} ${duration(p.ms)}`).join(', ')}>
              <For each={breakdown()}>{(p) => <span style={{ width: `${p.pct}%`, background: p.color }} />}</For>
            </div>
            <div class="legend">
              <For each={breakdown()}>{(p) => <span><i style={{ background: p.color }} />{p.label}: {duration(p.ms)}</span>}</For>
              <span>{t('calls.total')}: {duration(log().latency_ms)}</span>
            </div>
          </Show>

          <h3>{t('calls.attempts')}</h3>
          <Show when={(log().attempts ?? []).length} fallback={<p class="muted">{t('calls.noAttempts')}</p>}>
            <div class="table-wrap">
              <table class="table">
                <thead><tr><th scope="col">#</th><th scope="col">{t('logs.channel')}</th><th scope="col">{t('logs.status')}</th><th scope="col" class="num">{t('logs.latency')}</th><th scope="col">{t('calls.error')}</th></tr></thead>
                <tbody>
                  <For each={log().attempts}>{(a, i) => (
                    <tr><td>{i() + 1}</td><td>{props.channelName(a.channel_id)}</td><td><StatusBadge row={{ status: a.status }} /></td><td class="num">{duration(a.ms)}</td><td class="small">{a.error ?? '—'}</td></tr>
                  )}</For>
                </tbody>
              </table>
            </div>
          </Show>

          <h3>{t('calls.bodies')}</h3>
          <Show when={detail()?.bodies} fallback={<p class="muted">{t('calls.noBodies')}</p>}>
            {(b) => (
              <>
                <Show when={b().truncated}><div class="notice warn">{t('calls.truncated')}</div></Show>
                <h3 class="small muted">{t('calls.request')}</h3>
                <pre class="code">{b().request ?? '—'}</pre>
                <h3 class="small muted">{t('calls.response')}</h3>
                <pre class="code">{b().response ?? '—'}</pre>
              </>
            )}
          </Show>
        </section>
      </Show>
    </Drawer>
  );
}
