// Live calls: a tail of calls as they happen (in-flight first, then completed), with
// pause/resume, the log's filters, and a detail drawer per call.
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import { api } from '../api/client.ts';
import { fetchLogs, fetchLogsSince, type LiveEvent, type LiveMode, type LogFilters, type LogRow, matches, subscribeLive } from '../api/live.ts';
import { SelectField, TextField } from '../components/Field.tsx';
import { Icon } from '../components/icons.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty, ErrorNotice } from '../components/States.tsx';
import { clock, dateTime, duration, money, num } from '../format.ts';
import { t } from '../i18n/index.ts';
import { isAdmin, refetchMe, setMyBalance, me } from '../session.ts';
import { CallDrawer } from './CallDrawer.tsx';
import { StatusBadge } from './call-status.tsx';
import { CallStatusOptions, CallTableHead, onActivateKey, useCallLookups } from './call-table.tsx';

const MAX_ROWS = 300;
/** Calls from before today show their date too. */
const isToday = (d: Date | string) => new Date(d).toDateString() === new Date().toDateString();
const POLL_MS = 500;
/** While the socket is being reopened the log is read less often. */
const RECONNECT_POLL_MS = 2_000;
/** Backfill also looks this far before the last call seen, for calls that finished late. */
const BACKFILL_SLACK_MS = 60_000;

export default function Live() {
  const [filters, setFilters] = createStore<LogFilters>({});
  const [rows, setRows] = createStore<LogRow[]>([]);
  const [paused, setPaused] = createSignal(false);
  const [held, setHeld] = createSignal<LogRow[]>([]);
  const [mode, setMode] = createSignal<LiveMode>('connecting');
  const [error, setError] = createSignal<unknown>(null);
  const [open, setOpen] = createSignal<LogRow | null>(null);
  const { keys, channels, users, userName, keyName, channelName } = useCallLookups();

  /** The filter for pushed events: a username resolved to its id (-1 when unknown: matches nothing). */
  const eventFilter = (): LogFilters => (filters.user === undefined ? filters
    : { ...filters, userId: (users() ?? []).find((u) => u.username === filters.user)?.id ?? (filters.user === me()?.username ? me()!.userId ?? -1 : -1) });

  /** Put a row at the top, replacing its in-flight placeholder or an older copy. */
  const upsert = (row: LogRow) => {
    if (paused()) {
      setHeld((h) => [row, ...h.filter((r) => r.request_id !== row.request_id)]);
      return;
    }
    setRows(produce((list) => {
      const i = list.findIndex((r) => r.request_id === row.request_id);
      if (i >= 0) list.splice(i, 1, row);
      else list.unshift(row);
      if (list.length > MAX_ROWS) list.length = MAX_ROWS;
    }));
  };

  const reload = async () => {
    try {
      const page = await fetchLogs(filters, 100);
      setRows(page);
      setError(null);
    } catch (e) {
      setError(e);
    }
  };
  void reload();

  const onEvent = (e: LiveEvent) => {
    if (e.type === 'call.finished' && matches(eventFilter(), e.log)) upsert(e.log);
    if (e.type === 'call.started' && !filters.q && !filters.status && !filters.channelId) {
      const f: LogRow = {
        id: '', request_id: e.requestId, created_at: new Date(e.at), user_id: e.userId, key_id: e.keyId, channel_id: null, attempts: [],
        endpoint: e.endpoint, model: e.model, upstream_model: null, stream: e.stream, status: 0, error_type: null, error_message: null,
        prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost: 0n, latency_ms: 0,
        ttft_ms: null, overhead_us: null, client_ip: null, user_agent: null, estimated: false, unpriced: false, affinity: null, upstream_cost: null, inflight: true,
      } as LogRow;
      if (matches({ ...eventFilter(), status: undefined }, f)) upsert(f);
    }
    if (e.type === 'balance.changed' && e.userId === me()?.userId) setMyBalance(e.balance);
  };

  /**
   * Merge in every call since the oldest one still open here (or the newest finished one,
   * less a slack): what a poll or a reconnect must show that was not pushed. In-flight rows
   * the log has not got are dropped when `dropStale`: their finish, if any, arrives live.
   */
  /** Calls filled in from the log since the socket was lost (null: never lost). */
  const [backfilled, setBackfilled] = createSignal<number | null>(null);
  let catchingUp = false;
  const catchUp = async (dropStale: boolean) => {
    if (catchingUp || paused()) return;
    catchingUp = true;
    try {
      const finished = rows.filter((r) => !r.inflight);
      const open = rows.filter((r) => r.inflight);
      const newest = finished[0] ? new Date(finished[0].created_at).getTime() : Date.now() - 3_600_000;
      const oldestOpen = Math.min(...open.map((r) => new Date(r.created_at).getTime()));
      const since = new Date(Math.min(newest - BACKFILL_SLACK_MS, oldestOpen));
      const found = await fetchLogsSince(filters, since, MAX_ROWS);
      const known = new Set(finished.map((r) => r.request_id));
      const fresh = found.filter((r) => !known.has(r.request_id));
      if (fresh.length || dropStale) {
        const byId = new Set(found.map((r) => r.request_id));
        setRows(produce((list) => {
          if (dropStale) for (let i = list.length - 1; i >= 0; i--) if (list[i]!.inflight && !byId.has(list[i]!.request_id)) list.splice(i, 1);
          for (const r of fresh) {
            const i = list.findIndex((x) => x.request_id === r.request_id);
            if (i >= 0) list.splice(i, 1);
            list.push(r);
          }
          list.sort((a, b) => Number(!!b.inflight) - Number(!!a.inflight) || new Date(b.created_at).getTime() - new Date(a.created_at).getTime());
          if (list.length > MAX_ROWS) list.length = MAX_ROWS;
        }));
        if (backfilled() !== null) setBackfilled((n) => n! + fresh.length);
      }
      if (fresh.length) void refetchMe();
      setError(null);
    } catch (e) {
      // While reconnecting the badge already says so; a failing read is expected then.
      if (mode() !== 'reconnecting') setError(e);
    } finally {
      catchingUp = false;
    }
  };

  // Polling (only while the subscription is not live).
  let poll: ReturnType<typeof setInterval> | undefined;
  const setPolling = (m: LiveMode) => {
    clearInterval(poll);
    if (m === 'polling') poll = setInterval(() => void catchUp(false), POLL_MS);
    if (m === 'reconnecting') poll = setInterval(() => void catchUp(false), RECONNECT_POLL_MS);
  };
  const stop = subscribeLive(onEvent, (m) => { if (m === 'reconnecting' && mode() !== 'reconnecting') setBackfilled(0); setMode(m); setPolling(m); }, ['call.started', 'call.finished', 'balance.changed'],
    () => void catchUp(true));
  onCleanup(() => { stop(); clearInterval(poll); });

  const resume = () => {
    const h = held();
    setHeld([]);
    setPaused(false);
    [...h].reverse().forEach(upsert);
  };

  const setFilter = <K extends keyof LogFilters>(k: K, v: LogFilters[K]) => {
    setFilters(k, v);
    void reload();
  };

  return (
    <>
      <PageHead title={t('live.title')} description={t('live.description')}>
        <span class="badge" classList={{ ok: mode() === 'live', warn: mode() === 'polling', err: mode() === 'reconnecting' }} data-testid="live-mode" role="status">
          <Show when={mode() === 'live'}><span class="pulse" aria-hidden="true" /></Show>
          {t(`live.mode.${mode()}`)}
        </span>
        <Show when={paused()} fallback={
          <button class="btn" onClick={() => setPaused(true)}><Icon name="pause" />{t('live.pause')}</button>
        }>
          <button class="btn primary" onClick={resume}><Icon name="play" />{t('live.resume', { n: held().length })}</button>
        </Show>
      </PageHead>

      <div class="card">
        <div class="card-body form-grid" role="search" aria-label={t('live.filters')}>
          <TextField label={t('logs.model')} placeholder="gpt-4o-mini" value={filters.model ?? ''} onChange={(e) => setFilter('model', e.currentTarget.value.trim() || undefined)} />
          <SelectField label={t('logs.key')} value={filters.keyId ?? ''} onChange={(e) => setFilter('keyId', e.currentTarget.value ? Number(e.currentTarget.value) : undefined)}>
            <option value="">{t('common.all')}</option>
            <For each={keys() ?? []}>{(k: { id: number; name: string }) => <option value={k.id}>{k.name}</option>}</For>
          </SelectField>
          <Show when={isAdmin()}>
            <TextField label={t('logs.user')} list="live-users" placeholder={t('history.userPlaceholder')} value={filters.user ?? ''}
              error={filters.user && users() && !users()!.some((u) => u.username === filters.user) ? t('history.noSuchUser', { name: filters.user }) : undefined}
              onChange={(e) => setFilter('user', e.currentTarget.value.trim() || undefined)} />
            <datalist id="live-users"><For each={users() ?? []}>{(u) => <option value={u.username} />}</For></datalist>
            <SelectField label={t('logs.channel')} value={filters.channelId ?? ''} onChange={(e) => setFilter('channelId', e.currentTarget.value ? Number(e.currentTarget.value) : undefined)}>
              <option value="">{t('common.all')}</option>
              <For each={channels() ?? []}>{(c) => <option value={c.id}>{c.name}</option>}</For>
            </SelectField>
          </Show>
          <SelectField label={t('logs.status')} value={filters.status ?? ''} onChange={(e) => setFilter('status', (e.currentTarget.value || undefined) as LogFilters['status'])}>
            <CallStatusOptions />
          </SelectField>
          <SelectField label={t('logs.stream')} value={filters.stream === undefined ? '' : String(filters.stream)} onChange={(e) => setFilter('stream', e.currentTarget.value === '' ? undefined : e.currentTarget.value === 'true')}>
            <option value="">{t('common.all')}</option>
            <option value="true">{t('logs.streamed')}</option>
            <option value="false">{t('logs.notStreamed')}</option>
          </SelectField>
          <TextField label={t('logs.errorSearch')} type="search" value={filters.q ?? ''} onChange={(e) => setFilter('q', e.currentTarget.value.trim().length >= 2 ? e.currentTarget.value.trim() : undefined)} />
        </div>
      </div>

      <Show when={mode() === 'reconnecting'}>
        <div class="notice err" data-testid="live-disconnected">{t('live.disconnected')}</div>
      </Show>
      <Show when={mode() === 'live' && backfilled() !== null}>
        <div class="notice" data-testid="live-backfilled">{t('live.backfilled', { n: backfilled()! })}</div>
      </Show>
      <ErrorNotice error={error()} />
      <div class="card" style={{ 'margin-top': '16px' }}>
        <div class="table-wrap">
          <table class="table" data-testid="live-table">
            <caption class="sr-only">{t('live.title')}</caption>
            <CallTableHead timeLabel={t('logs.time')} />
            <tbody>
              <For each={rows}>{(r) => (
                <tr class="clickable fresh" tabindex="0" data-request-id={r.request_id} data-inflight={r.inflight ? 'true' : 'false'}
                  onClick={() => setOpen(r)} onKeyDown={onActivateKey(() => setOpen(r))}
                  aria-label={t('live.openCall', { model: r.model })}>
                  <td class="mono" title={dateTime(r.created_at)}>{isToday(r.created_at) ? clock(r.created_at) : dateTime(r.created_at)}</td>
                  <td><StatusBadge row={r} /></td>
                  <td><span class="mono">{r.model}</span><Show when={r.upstream_model && r.upstream_model !== r.model}> <span class="muted small">→ {r.upstream_model}</span></Show>
                    <Show when={r.stream}> <span class="badge" title={t('logs.streamed')}>SSE</span></Show></td>
                  <td>{keyName(r.key_id)}</td>
                  <Show when={isAdmin()}><td>{userName(r.user_id)}</td><td>{channelName(r.channel_id)}</td></Show>
                  <td class="num">{r.inflight ? '…' : `${num(r.prompt_tokens)} / ${num(r.completion_tokens)}`}</td>
                  <td class="num">{r.inflight ? '…' : money(r.cost)}</td>
                  <td class="num">{r.inflight ? '…' : duration(r.latency_ms)}</td>
                </tr>
              )}</For>
            </tbody>
          </table>
          <Show when={rows.length === 0}><Empty>{t('live.empty')}</Empty></Show>
        </div>
      </div>
      <CallDrawer call={open()} onClose={() => setOpen(null)} keyName={keyName} channelName={channelName} userName={userName} />
    </>
  );
}
