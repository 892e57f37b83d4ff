// Channels: status, priority, weight, models, upstream balance and last test at a glance;
// enable/disable and priority inline; batch enable/disable/delete; create, edit and test.
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../api/client.ts';
import { Icon } from '../../components/icons.tsx';
import { PageHead } from '../../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../../components/States.tsx';
import { toast, toastError } from '../../components/Toasts.tsx';
import { Toggle } from '../../components/Toggle.tsx';
import { dateTime, duration, money } from '../../format.ts';
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

export default function Channels() {
  const [list, { refetch }] = createResource(() => api.channels.list.query());
  const [catalog] = createResource(() => api.channels.catalog.query());
  const [selected, setSelected] = createSignal<number[]>([]);
  const [editing, setEditing] = createSignal<Channel | null | undefined>(undefined);
  const [testing, setTesting] = createSignal<Channel | null>(null);
  const vendor = (type: number) => {
    const p = catalog()?.find((c) => c.type === type);
    return p ? (locale() === 'zh-CN' ? p.name.zh : p.name.en) : `#${type}`;
  };

  const act = async (fn: () => Promise<unknown>, message = t('common.saved')) => {
    try {
      await fn();
      toast(message);
    } catch (e) {
      toastError(e);
    }
    await refetch();
  };

  const batch = (action: 'enable' | 'disable' | 'delete') => {
    const ids = selected();
    if (action === 'delete' && !confirm(t('channels.confirmDelete', { n: ids.length }))) return;
    void act(() => api.channels.batch.mutate({ action, ids }), t('channels.batchDone', { n: ids.length })).then(() => setSelected([]));
  };
  const toggleAll = (on: boolean) => setSelected(on ? (list() ?? []).map((c) => c.id) : []);
  const toggle = (id: number, on: boolean) => setSelected((s) => (on ? [...s, id] : s.filter((x) => x !== id)));

  return (
    <>
      <PageHead title={t('channels.title')} description={t('channels.description')}>
        <button class="btn" onClick={() => void act(() => api.channels.balances.mutate(), t('channels.balancesRefreshed'))}>{t('channels.refreshBalances')}</button>
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
        <Show when={!list.loading || list()} fallback={<Loading />}>
          <div class="table-wrap">
            <table class="table" data-testid="channels-table">
              <caption class="sr-only">{t('channels.title')}</caption>
              <thead>
                <tr>
                  <th scope="col"><input type="checkbox" aria-label={t('channels.selectAll')} checked={!!list()?.length && selected().length === list()!.length} onChange={(e) => toggleAll(e.currentTarget.checked)} /></th>
                  <th scope="col">{t('channels.name')}</th>
                  <th scope="col">{t('channels.statusLabel')}</th>
                  <th scope="col">{t('channels.priority')}</th>
                  <th scope="col" class="num">{t('channels.weight')}</th>
                  <th scope="col">{t('channels.models')}</th>
                  <th scope="col" class="num">{t('channels.balance')}</th>
                  <th scope="col" class="num">{t('channels.lastTest')}</th>
                  <th scope="col"><span class="sr-only">{t('common.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                <For each={list()}>{(ch) => (
                  <tr data-channel={ch.name}>
                    <td><input type="checkbox" aria-label={t('channels.select', { name: ch.name })} checked={selected().includes(ch.id)} onChange={(e) => toggle(ch.id, e.currentTarget.checked)} /></td>
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
                    <td class="num"><Balance ch={ch} /></td>
                    <td class="num" title={dateTime(ch.testAt)}>{ch.testLatencyMs !== null ? duration(ch.testLatencyMs) : '—'}</td>
                    <td>
                      <div class="row end" style={{ 'flex-wrap': 'nowrap' }}>
                        <button class="btn small" onClick={() => setTesting(ch)}>{t('channels.testAction')}</button>
                        <button class="btn small" onClick={() => setEditing(ch)}>{t('common.edit')}</button>
                      </div>
                    </td>
                  </tr>
                )}</For>
              </tbody>
            </table>
            <Show when={list()?.length === 0}><Empty>{t('channels.empty')}</Empty></Show>
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
