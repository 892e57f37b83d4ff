// Call history: any time range and filter, paged newest first to any depth with the
// server's keyset cursor (logs.list), a date on every row, and a CSV download of exactly
// the current filter (GET /api/logs/export.csv streams every matching row).
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { api } from '../api/client.ts';
import type { LogRow } from '../api/live.ts';
import { SelectField, TextField } from '../components/Field.tsx';
import { Icon } from '../components/icons.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../components/States.tsx';
import { dateTime, duration, money, num } from '../format.ts';
import { t } from '../i18n/index.ts';
import { isAdmin } from '../session.ts';
import { CallDrawer } from './CallDrawer.tsx';
import { StatusBadge } from './call-status.tsx';
import { CallStatusOptions, CallTableHead, onActivateKey, useCallLookups } from './call-table.tsx';

const PAGE_SIZE = 50;

export interface HistoryFilter {
  /** `yyyy-mm-ddThh:mm` in local time, as <input type="datetime-local"> gives it. */
  from?: string;
  to?: string;
  model?: string;
  keyId?: number;
  user?: string;
  channelId?: number;
  status?: 'ok' | '4xx' | '5xx' | 'error';
}

/** The filter as the server's LogFilter (server/logs/query.ts) takes it. */
export function serverFilter(f: HistoryFilter) {
  const at = (s: string | undefined) => (s ? new Date(s) : undefined);
  return { from: at(f.from), to: at(f.to), model: f.model, keyId: f.keyId, user: f.user, channelId: f.channelId, status: f.status };
}

/** The CSV export URL for a filter: same parameters, as a query string. */
export function exportUrl(f: HistoryFilter): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(serverFilter(f))) {
    if (v === undefined) continue;
    q.set(k, v instanceof Date ? v.toISOString() : String(v));
  }
  const s = q.toString();
  return `/api/logs/export.csv${s ? `?${s}` : ''}`;
}

export default function History() {
  const [filter, setFilter] = createStore<HistoryFilter>({});
  /** Cursors of the pages walked so far; the last one is the page shown (undefined: newest). */
  const [trail, setTrail] = createSignal<Array<string | undefined>>([undefined]);
  const [open, setOpen] = createSignal<LogRow | null>(null);
  const query = createMemo(() => ({ ...serverFilter({ ...filter }), cursor: trail().at(-1), limit: PAGE_SIZE }));
  const [page] = createResource(query, (q) => api.logs.list.query(q));

  const { keys, channels, users, userName, keyName, channelName } = useCallLookups();

  const set = <K extends keyof HistoryFilter>(k: K, v: HistoryFilter[K]) => {
    setFilter(k, v);
    setTrail([undefined]);
  };
  const pageNo = () => trail().length;
  const rows = () => (page.latest?.rows ?? []) as LogRow[];
  const first = () => (pageNo() - 1) * PAGE_SIZE + 1;
  const unknownUser = () => isAdmin() && filter.user && users() && !users()!.some((u) => u.username === filter.user);

  return (
    <>
      <PageHead title={t('history.title')} description={t('history.description')}>
        <a class="btn" href={exportUrl({ ...filter })} download="" data-testid="export-csv"><Icon name="import" />{t('history.export')}</a>
      </PageHead>

      <div class="card">
        <div class="card-body form-grid" role="search" aria-label={t('live.filters')}>
          <TextField label={t('history.from')} type="datetime-local" value={filter.from ?? ''} max={filter.to} onChange={(e) => set('from', e.currentTarget.value || undefined)} />
          <TextField label={t('history.to')} type="datetime-local" value={filter.to ?? ''} min={filter.from} onChange={(e) => set('to', e.currentTarget.value || undefined)} />
          <TextField label={t('logs.model')} placeholder="gpt-4o-mini" value={filter.model ?? ''} onChange={(e) => set('model', e.currentTarget.value.trim() || undefined)} />
          <SelectField label={t('logs.key')} value={filter.keyId ?? ''} onChange={(e) => set('keyId', e.currentTarget.value ? Number(e.currentTarget.value) : undefined)}>
            <option value="">{t('common.all')}</option>
            <For each={keys() ?? []}>{(k: { id: number; name: string }) => <option value={k.id}>{k.name} (#{k.id})</option>}</For>
          </SelectField>
          <Show when={isAdmin()}>
            <TextField label={t('logs.user')} list="history-users" placeholder={t('history.userPlaceholder')} value={filter.user ?? ''}
              error={unknownUser() ? t('history.noSuchUser', { name: filter.user! }) : undefined}
              onChange={(e) => set('user', e.currentTarget.value.trim() || undefined)} />
            <datalist id="history-users"><For each={users() ?? []}>{(u) => <option value={u.username} />}</For></datalist>
            <SelectField label={t('logs.channel')} value={filter.channelId ?? ''} onChange={(e) => set('channelId', e.currentTarget.value ? Number(e.currentTarget.value) : undefined)}>
              <option value="">{t('common.all')}</option>
              <For each={channels() ?? []}>{(c) => <option value={c.id}>{c.name} (#{c.id})</option>}</For>
            </SelectField>
          </Show>
          <SelectField label={t('logs.status')} value={filter.status ?? ''} onChange={(e) => set('status', (e.currentTarget.value || undefined) as HistoryFilter['status'])}>
            <CallStatusOptions />
          </SelectField>
        </div>
      </div>

      <ErrorNotice error={page.error} />
      <div class="card" style={{ 'margin-top': '16px' }}>
        <div class="table-wrap">
          <table class="table" data-testid="history-table" aria-busy={page.loading}>
            <caption class="sr-only">{t('history.title')}</caption>
            <CallTableHead timeLabel={t('history.when')} />
            <tbody>
              <For each={rows()}>{(r) => (
                <tr class="clickable" tabindex="0" data-request-id={r.request_id} data-id={r.id}
                  onClick={() => setOpen(r)} onKeyDown={onActivateKey(() => setOpen(r))}
                  aria-label={t('live.openCall', { model: r.model })}>
                  <td class="small nowrap" data-testid="call-date">{dateTime(r.created_at)}</td>
                  <td><StatusBadge row={r} /></td>
                  <td><span class="mono">{r.model}</span><Show when={r.stream}> <span class="badge" title={t('logs.streamed')}>SSE</span></Show></td>
                  <td>{keyName(r.key_id)}</td>
                  <Show when={isAdmin()}><td>{userName(r.user_id)}</td><td>{channelName(r.channel_id)}</td></Show>
                  <td class="num">{`${num(r.prompt_tokens)} / ${num(r.completion_tokens)}`}</td>
                  <td class="num">{money(r.cost)}</td>
                  <td class="num">{duration(r.latency_ms)}</td>
                </tr>
              )}</For>
            </tbody>
          </table>
          <Show when={page.loading && !page.latest}><Loading /></Show>
          <Show when={!page.loading && rows().length === 0}><Empty>{t('history.empty')}</Empty></Show>
        </div>
        <nav class="card-body row pager" aria-label={t('history.paging')}>
          <button class="btn" disabled={pageNo() === 1} onClick={() => setTrail([undefined])}>{t('history.newest')}</button>
          <button class="btn" disabled={pageNo() === 1} onClick={() => setTrail((l) => l.slice(0, -1))}>{t('history.newer')}</button>
          <span class="small" data-testid="history-position" aria-live="polite">
            {rows().length ? t('history.position', { page: pageNo(), first: num(first()), last: num(first() + rows().length - 1) }) : t('history.pageN', { page: pageNo() })}
          </span>
          <button class="btn" data-testid="history-older" disabled={!page.latest?.nextCursor || page.loading}
            onClick={() => { const c = page.latest?.nextCursor; if (c) setTrail((l) => [...l, c]); }}>{t('history.older')}</button>
        </nav>
      </div>
      <CallDrawer call={open()} onClose={() => setOpen(null)} keyName={keyName} channelName={channelName} userName={userName} />
    </>
  );
}
