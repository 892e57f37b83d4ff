// Channels: id, status, priority, weight, models, usage, health, upstream balance and the
// last test (pass or fail) at a glance; search and sort; enable/disable and priority inline;
// batch enable/disable/delete, delete every disabled channel, test all; create, edit, clone, test.
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../api/client.ts';
import { Icon } from '../../components/icons.tsx';
import { PageHead } from '../../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../../components/States.tsx';
import { actionThenReload, toast, toastError } from '../../components/Toasts.tsx';
import { Toggle } from '../../components/Toggle.tsx';
import { compact, dateTime, duration, money, moneyShort, num } from '../../format.ts';
import { SelectField, TextField } from '../../components/Field.tsx';
import { locale, t } from '../../i18n/index.ts';
import { ChannelForm } from './ChannelForm.tsx';
import { ChannelTest } from './ChannelTest.tsx';
import { type Channel, statusTone } from './types.ts';

function Balance(props: { ch: Channel }) {
  return (
    <Show when={props.ch.balanceAmount !== null || props.ch.balance !== null} fallback={<span class="muted" title={props.ch.balanceError ?? undefined}>—</span>}>
      <span title={dateTime(props.ch.balanceUpdatedAt)}>
        {props.ch.balanceCurrency && props.ch.balanceCurrency !== 'USD' ? `${props.ch.balanceAmount} ${props.ch.balanceCurrency}` : money(props.ch.balance)}
      </span>
    </Show>
  );
}

/** Last recorded test: pass or fail with its latency or error, so a failure shows in the list. */
function LastTest(props: { ch: Channel }) {
  const lt = () => props.ch.lastTest;
  return (
    <Show when={lt()} fallback={<span class="muted">—</span>}>
      <span class="stack" style={{ gap: '2px', 'align-items': 'flex-end' }} data-testid="last-test" data-success={lt()!.success ? 'true' : 'false'}
        title={`${dateTime(lt()!.at)} · ${lt()!.model}${lt()!.error ? ` · ${lt()!.error}` : ''}`}>
        <span class={`badge ${lt()!.success ? 'ok' : 'err'}`}>{lt()!.success ? t('channels.test.state.ok') : t('channels.test.state.failed')}</span>
        <span class="small muted">{lt()!.success ? duration(lt()!.latencyMs) : lt()!.status ? `HTTP ${lt()!.status}` : t('channels.noConnection')}</span>
      </span>
    </Show>
  );
}

type Breaker = { channelId: number; model: string; state: 'closed' | 'open' | 'half_open'; retryAt: number | null; lastError: string | null };

/**
 * Health over the routing window (server/routing/health.ts): failed of total recent calls;
 * and the models whose circuit breaker (server/routing/breaker.ts) is open or half-open on
 * the instance answering.
 */
function Health(props: { ch: Channel; breakers: Breaker[] }) {
  const h = () => props.ch.health;
  const tone = () => (h().total === 0 ? '' : h().errors === 0 ? 'ok' : h().errors / h().total >= 0.5 ? 'err' : 'warn');
  const tripped = () => props.breakers.filter((b) => b.channelId === props.ch.id && b.state !== 'closed');
  return (
    <span class="stack" style={{ gap: '2px', 'align-items': 'flex-start' }}>
      <span class={`badge ${tone()}`} data-testid="channel-health" title={t('channels.healthHint')}>
        {h().total === 0 ? t('channels.noTraffic') : t('channels.healthErrors', { errors: num(h().errors), total: num(h().total) })}
      </span>
      <For each={tripped()}>
        {(b) => (
          <span class={`badge ${b.state === 'open' ? 'err' : 'warn'}`} data-testid="channel-breaker" data-state={b.state} title={b.lastError ?? undefined}>
            {t(b.state === 'open' ? 'channels.breakerOpen' : 'channels.breakerHalfOpen', { model: b.model })}
          </span>
        )}
      </For>
    </span>
  );
}

type SortKey = 'id' | 'name' | 'priority' | 'calls' | 'cost' | 'lastTest';

export default function Channels() {
  const [list, { refetch }] = createResource(() => api.channels.list.query());
  // Re-read with the list; breakers live in memory on the instance that answers.
  const [breakers] = createResource(list, () => api.routing.breakers.query().catch(() => [] as Breaker[]));
  const [catalog] = createResource(() => api.channels.catalog.query());
  const [selected, setSelected] = createSignal<number[]>([]);
  const [editing, setEditing] = createSignal<Channel | null | undefined>(undefined);
  const [testing, setTesting] = createSignal<Channel | null>(null);
  const vendor = (type: number) => {
    const p = catalog()?.find((c) => c.type === type);
    return p ? (locale() === 'zh-CN' ? p.name.zh : p.name.en) : `#${type}`;
  };

  const act = actionThenReload(refetch);

  const batch = (action: 'enable' | 'disable' | 'delete') => {
    const ids = selected();
    if (action === 'delete' && !confirm(t('channels.confirmDelete', { n: ids.length }))) return;
    void act(() => api.channels.batch.mutate({ action, ids }), t('channels.batchDone', { n: ids.length })).then(() => setSelected([]));
  };
  const [search, setSearch] = createSignal('');
  const [sort, setSort] = createSignal<SortKey>('id');
  const shown = createMemo(() => {
    const q = search().trim().toLowerCase();
    // A number (or #number) is an ID; anything else searches names, models, vendors and URLs.
    const id = /^#?\d+$/.test(q) ? Number(q.replace('#', '')) : null;
    const rows = (list() ?? []).filter((c) => !q || (id !== null ? c.id === id : c.name.toLowerCase().includes(q) || (c.baseUrl ?? '').toLowerCase().includes(q)
      || c.models.some((m) => m.toLowerCase().includes(q)) || vendor(c.type).toLowerCase().includes(q)));
    const by: Record<SortKey, (a: Channel, b: Channel) => number> = {
      id: (a, b) => a.id - b.id,
      name: (a, b) => a.name.localeCompare(b.name),
      priority: (a, b) => b.priority - a.priority || a.id - b.id,
      calls: (a, b) => b.usage.calls - a.usage.calls,
      cost: (a, b) => Number(b.usage.cost - a.usage.cost),
      // Failed first, then the slowest.
      lastTest: (a, b) => Number(a.lastTest?.success ?? 2) - Number(b.lastTest?.success ?? 2) || (b.lastTest?.latencyMs ?? -1) - (a.lastTest?.latencyMs ?? -1),
    };
    return [...rows].sort(by[sort()]);
  });
  const disabled = () => (list() ?? []).filter((c) => c.status !== 1);

  const deleteDisabled = () => {
    const ids = disabled().map((c) => c.id);
    if (!ids.length || !confirm(t('channels.confirmDeleteDisabled', { n: ids.length }))) return;
    void act(() => api.channels.batch.mutate({ action: 'delete', ids }), t('channels.deletedN', { n: ids.length })).then(() => setSelected([]));
  };

  const [testingAll, setTestingAll] = createSignal<string | null>(null);
  const testAll = async () => {
    try {
      const started = await api.channels.testMany.mutate({});
      let run = await api.channels.testRun.query({ runId: started.runId });
      setTestingAll(t('channels.testAllProgress', { done: run.done, total: run.total }));
      while (!run.finishedAt) {
        await new Promise((r) => setTimeout(r, 500));
        run = await api.channels.testRun.query({ runId: started.runId });
        setTestingAll(t('channels.testAllProgress', { done: run.done, total: run.total }));
        void refetch();
      }
      toast(t('channels.testAllDone', { passed: run.passed, total: run.total }), run.failed > 0);
    } catch (e) {
      toastError(e);
    } finally {
      setTestingAll(null);
      void refetch();
    }
  };

  const clone = (ch: Channel) => void act(() => api.channels.copy.mutate({ id: ch.id }), t('channels.cloned', { name: ch.name }));

  const toggleAll = (on: boolean) => setSelected(on ? shown().map((c) => c.id) : []);
  const toggle = (id: number, on: boolean) => setSelected((s) => (on ? [...s, id] : s.filter((x) => x !== id)));

  return (
    <>
      <PageHead title={t('channels.title')} description={t('channels.description')}>
        <button class="btn" onClick={() => void act(() => api.channels.balances.mutate(), t('channels.balancesRefreshed'))}>{t('channels.refreshBalances')}</button>
        <button class="btn" data-testid="test-all" disabled={testingAll() !== null || !list()?.length} onClick={() => void testAll()}>{testingAll() ?? t('channels.testAll')}</button>
        <button class="btn danger" data-testid="delete-disabled" disabled={!disabled().length} onClick={deleteDisabled}>{t('channels.deleteDisabled', { n: disabled().length })}</button>
        <button class="btn primary" onClick={() => setEditing(null)} data-testid="new-channel"><Icon name="plus" />{t('channels.create')}</button>
      </PageHead>

      <Show when={selected().length}>
        <div class="notice row" role="region" aria-label={t('channels.batch')} style={{ 'margin-bottom': '12px' }}>
          <span>{t('channels.selected', { n: selected().length })}</span>
          <div class="spacer" style={{ flex: 1 }} />
          <button class="btn small" onClick={() => batch('enable')}>{t('channels.enable')}</button>
          <button class="btn small" onClick={() => batch('disable')}>{t('channels.disable')}</button>
          <button class="btn small danger" onClick={() => batch('delete')}>{t('common.delete')}</button>
        </div>
      </Show>

      <ErrorNotice error={list.error} />
      <div class="card">
        <div class="card-body form-grid" role="search" aria-label={t('channels.searchLabel')}>
          <TextField label={t('channels.search')} type="search" value={search()} placeholder={t('channels.searchPlaceholder')} onInput={(e) => setSearch(e.currentTarget.value)} />
          <SelectField label={t('channels.sortBy')} value={sort()} onChange={(e) => setSort(e.currentTarget.value as SortKey)}>
            <option value="id">{t('channels.id')}</option>
            <option value="name">{t('channels.name')}</option>
            <option value="priority">{t('channels.priority')}</option>
            <option value="calls">{t('channels.sortCalls')}</option>
            <option value="cost">{t('channels.sortCost')}</option>
            <option value="lastTest">{t('channels.sortLastTest')}</option>
          </SelectField>
        </div>
        <Show when={!list.loading || list()} fallback={<Loading />}>
          <div class="table-wrap">
            <table class="table" data-testid="channels-table">
              <caption class="sr-only">{t('channels.title')}</caption>
              <thead>
                <tr>
                  <th scope="col"><input type="checkbox" aria-label={t('channels.selectAll')} checked={!!shown().length && selected().length === shown().length} onChange={(e) => toggleAll(e.currentTarget.checked)} /></th>
                  <th scope="col" class="num">{t('channels.id')}</th>
                  <th scope="col">{t('channels.name')}</th>
                  <th scope="col">{t('channels.statusLabel')}</th>
                  <th scope="col">{t('channels.priority')}</th>
                  <th scope="col" class="num">{t('channels.weight')}</th>
                  <th scope="col">{t('channels.models')}</th>
                  <th scope="col" class="num">{t('channels.usage')}</th>
                  <th scope="col">{t('channels.health')}</th>
                  <th scope="col" class="num">{t('channels.balance')}</th>
                  <th scope="col" class="num">{t('channels.lastTest')}</th>
                  <th scope="col"><span class="sr-only">{t('common.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                <For each={shown()}>{(ch) => (
                  <tr data-channel={ch.name} data-id={ch.id}>
                    <td><input type="checkbox" aria-label={t('channels.select', { name: ch.name })} checked={selected().includes(ch.id)} onChange={(e) => toggle(ch.id, e.currentTarget.checked)} /></td>
                    <td class="num mono">{ch.id}</td>
                    <td><strong>{ch.name}</strong><div class="muted small">{vendor(ch.type)}</div></td>
                    <td>
                      <div class="row">
                        <Toggle label={t('channels.enabledFor', { name: ch.name })} hideLabel checked={ch.status === 1}
                          onChange={(on) => void act(() => api.channels.setStatus.mutate({ id: ch.id, enabled: on }))} />
                        <span class={`badge ${statusTone(ch.status)}`} title={ch.statusReason ?? undefined}>{t(`channels.status.${ch.status === 1 ? 1 : ch.status === 3 ? 3 : 2}`)}</span>
                      </div>
                    </td>
                    <td>
                      <input class="input compact" type="number" step="1" style={{ width: '72px' }} aria-label={t('channels.priorityFor', { name: ch.name })} value={ch.priority}
                        onChange={(e) => void act(() => api.channels.update.mutate({ id: ch.id, priority: Number(e.currentTarget.value) }))} />
                    </td>
                    <td class="num">{ch.weight}</td>
                    <td>
                      <div class="chips">
                        <For each={ch.models.slice(0, 3)}>{(m) => <span class="chip">{m}</span>}</For>
                        <Show when={ch.models.length > 3}><span class="chip" title={ch.models.join(', ')}>+{ch.models.length - 3}</span></Show>
                      </div>
                    </td>
                    <td class="num" data-testid="channel-usage" title={t('channels.usageHint')}>
                      <div>{t('channels.usageCalls', { n: compact(ch.usage.calls) })}</div>
                      <div class="small muted">{moneyShort(ch.usage.cost)}<Show when={ch.usage.errors}> · {t('channels.usageErrors', { n: compact(ch.usage.errors) })}</Show></div>
                    </td>
                    <td><Health ch={ch} breakers={(breakers() ?? []) as Breaker[]} /></td>
                    <td class="num"><Balance ch={ch} /></td>
                    <td class="num"><LastTest ch={ch} /></td>
                    <td>
                      <div class="row end" style={{ 'flex-wrap': 'nowrap' }}>
                        <button class="btn small" onClick={() => setTesting(ch)}>{t('channels.testAction')}</button>
                        <button class="btn small" onClick={() => setEditing(ch)}>{t('common.edit')}</button>
                        <button class="btn small" onClick={() => clone(ch)} aria-label={t('channels.cloneNamed', { name: ch.name })}>{t('channels.clone')}</button>
                      </div>
                    </td>
                  </tr>
                )}</For>
              </tbody>
            </table>
            <Show when={list()?.length === 0}><Empty>{t('channels.empty')}</Empty></Show>
            <Show when={!!list()?.length && !shown().length}><Empty>{t('channels.noMatch')}</Empty></Show>
          </div>
        </Show>
      </div>

      <Show when={editing() !== undefined}>
        <ChannelForm channel={editing() ?? null} open catalog={catalog() ?? []} onClose={() => setEditing(undefined)}
          onSaved={() => { setEditing(undefined); void refetch(); }} />
      </Show>
      <ChannelTest channel={testing()} onClose={() => setTesting(null)} onDone={() => void refetch()} />
    </>
  );
}
