// Test one chosen model of a channel, or every model: one request per model (a few at a
// time), each result and latency as it arrives, with overall progress. Results are recorded,
// so the channel list shows the last one.
import { createEffect, createSignal, For, on, Show } from 'solid-js';
import { api } from '../../api/client.ts';
import { errorInfo } from '../../api/errors.ts';
import { Modal } from '../../components/Dialog.tsx';
import { Checkbox } from '../../components/Field.tsx';
import { duration } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import type { Channel } from './types.ts';

const CONCURRENCY = 3;

interface Row { model: string; state: 'waiting' | 'running' | 'ok' | 'failed'; latencyMs?: number; status?: number | null; error?: string | null; upstreamModel?: string | null }

export function ChannelTest(props: { channel: Channel | null; onClose: () => void; onDone: () => void }) {
  const [rows, setRows] = createSignal<Row[]>([]);
  const [running, setRunning] = createSignal(false);
  const [stream, setStream] = createSignal(false);
  const done = () => rows().filter((r) => r.state === 'ok' || r.state === 'failed').length;
  const passed = () => rows().filter((r) => r.state === 'ok').length;
  const update = (model: string, patch: Partial<Row>) => setRows((l) => l.map((r) => (r.model === model ? { ...r, ...patch } : r)));

  // Every model is listed as soon as the dialog opens, each with its own Test button.
  createEffect(on(() => props.channel, (ch) => setRows(ch ? ch.models.map((model) => ({ model, state: 'waiting' as const })) : [])));
  const tested = () => rows().filter((r) => r.state !== 'waiting' || r.latencyMs !== undefined);

  const run = async (only?: string) => {
    const ch = props.channel!;
    const models = only ? [only] : ch.models;
    setRows((l) => l.map((r) => (models.includes(r.model) ? { model: r.model, state: 'waiting' } : r)));
    setRunning(true);
    const queue = [...models];
    const worker = async () => {
      for (let model = queue.shift(); model !== undefined; model = queue.shift()) {
        update(model, { state: 'running' });
        try {
          const r = await api.channels.test.mutate({ id: ch.id, model, stream: stream() });
          update(model, { state: r.success ? 'ok' : 'failed', latencyMs: r.latencyMs, status: r.status, error: r.error, upstreamModel: r.upstreamModel });
        } catch (e) {
          update(model, { state: 'failed', error: errorInfo(e).message });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    setRunning(false);
    props.onDone();
  };

  const close = () => { if (!running()) props.onClose(); };

  return (
    <Modal open={props.channel !== null} onClose={close} wide title={t('channels.test.title', { name: props.channel?.name ?? '' })}
      footer={<>
        <button class="btn" onClick={close} disabled={running()}>{t('common.close')}</button>
        <button class="btn primary" onClick={() => void run()} disabled={running()} data-testid="run-test">{running() ? t('channels.test.running') : t('channels.test.run', { n: props.channel?.models.length ?? 0 })}</button>
      </>}>
      <Checkbox label={t('channels.test.stream')} checked={stream()} onChange={setStream} disabled={running()} />
      <Show when={rows().length}>
        <Show when={tested().length}><div class="stack" style={{ gap: '6px' }}>
          <div class="row"><span data-testid="test-progress">{t('channels.test.progress', { done: done(), total: rows().length, passed: passed() })}</span></div>
          <div class="progress" role="progressbar" aria-label={t('channels.test.progressLabel')} aria-valuemin={0} aria-valuemax={rows().length} aria-valuenow={done()}>
            <div style={{ width: `${(done() / Math.max(rows().length, 1)) * 100}%` }} />
          </div>
        </div></Show>
        <div class="table-wrap">
          <table class="table" data-testid="test-results">
            <thead><tr><th scope="col">{t('logs.model')}</th><th scope="col">{t('channels.test.result')}</th><th scope="col" class="num">{t('logs.latency')}</th><th scope="col">{t('channels.test.detail')}</th><th scope="col"><span class="sr-only">{t('common.actions')}</span></th></tr></thead>
            <tbody>
              <For each={rows()}>{(r) => (
                <tr data-model={r.model} data-state={r.state}>
                  <td class="mono">{r.model}</td>
                  <td>
                    <Show when={r.state === 'running'}><span class="spinner" aria-hidden="true" /> </Show>
                    <span class={`badge ${r.state === 'ok' ? 'ok' : r.state === 'failed' ? 'err' : ''}`}>{t(`channels.test.state.${r.state}`)}</span>
                  </td>
                  <td class="num">{r.latencyMs !== undefined ? duration(r.latencyMs) : '—'}</td>
                  <td class="small">{r.error ?? (r.upstreamModel ? `${t('calls.upstreamModel')}: ${r.upstreamModel}` : r.status ? `HTTP ${r.status}` : '')}</td>
                  <td><button class="btn small" disabled={running()} aria-label={t('channels.test.one', { model: r.model })} onClick={() => void run(r.model)}>{t('channels.testAction')}</button></td>
                </tr>
              )}</For>
            </tbody>
          </table>
        </div>
      </Show>
    </Modal>
  );
}
