// Cost prices (admins): what each upstream charges the operator for a channel's calls, per
// channel × model or `*` for every model of the channel (prices.cost.*). Sale prices stay in
// the price table; each call logs its cost price, and Billing shows the margin.
import { createResource, createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { nanoToUsd } from '../../../server/billing/money.ts';
import { api } from '../api/client.ts';
import { SelectField, TextField } from '../components/Field.tsx';
import { Empty, ErrorNotice, Loading } from '../components/States.tsx';
import { formError, toast, toastError } from '../components/Toasts.tsx';
import { t } from '../i18n/index.ts';
import { PRICE_COLUMNS, type PriceDraft, priceInput } from './price-columns.ts';

const EMPTY: PriceDraft = { inputUsdPerM: '', outputUsdPerM: '', cacheReadUsdPerM: '', cacheWrite5mUsdPerM: '', cacheWrite1hUsdPerM: '', perRequestUsd: '' };
const usd = (v: bigint | null) => (v === null ? '—' : `$${nanoToUsd(v)}`);

export function CostPrices() {
  const [costs, { refetch }] = createResource(() => api.prices.cost.list.query({}));
  const [channels] = createResource(() => api.channels.list.query());
  const [channelId, setChannelId] = createSignal('');
  const [model, setModel] = createSignal('*');
  const [draft, setDraft] = createStore<PriceDraft>({ ...EMPTY });
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const channelName = (id: number) => (channels() ?? []).find((c) => c.id === id)?.name ?? `#${id}`;

  const save = async (e: SubmitEvent) => {
    e.preventDefault();
    setFields({});
    try {
      await api.prices.cost.set.mutate({ ...priceInput(model().trim(), draft), channelId: Number(channelId()) });
      toast(t('common.saved'));
      setDraft({ ...EMPTY });
      setModel('*');
      await refetch();
    } catch (err) {
      formError(err, setFields);
    }
  };
  const remove = async (row: { channel_id: number; model: string }) => {
    if (!confirm(t('prices.cost.confirmRemove', { model: row.model, channel: channelName(row.channel_id) }))) return;
    try {
      await api.prices.cost.remove.mutate({ channelId: row.channel_id, model: row.model });
      toast(t('common.deleted'));
      await refetch();
    } catch (err) {
      toastError(err);
    }
  };

  return (
    <div class="card" data-testid="cost-prices">
      <div class="card-head"><h2>{t('prices.cost.title')}</h2><span class="muted small">{t('prices.unitHint')}</span></div>
      <div class="card-body stack">
        <p class="muted small" style={{ margin: 0 }}>{t('prices.cost.hint')}</p>
        <form class="stack" onSubmit={save} data-testid="cost-price-form">
          <div class="form-grid">
            <SelectField label={t('logs.channel')} required value={channelId()} error={fields().channelId} onChange={(e) => setChannelId(e.currentTarget.value)}>
              <option value="" disabled>{t('prices.cost.pickChannel')}</option>
              <For each={channels()}>{(c) => <option value={c.id}>{c.name}</option>}</For>
            </SelectField>
            <TextField label={t('logs.model')} required value={model()} hint={t('prices.cost.modelHint')} error={fields().model} onInput={(e) => setModel(e.currentTarget.value)} />
            <For each={PRICE_COLUMNS}>{([, field, label]) => (
              <TextField label={t(label)} inputMode="decimal" required={field === 'inputUsdPerM'} value={draft[field]} error={fields()[field]} onInput={(e) => setDraft(field, e.currentTarget.value)} />
            )}</For>
          </div>
          <div><button class="btn primary" type="submit" disabled={!channelId() || !model().trim()}>{t('prices.cost.save')}</button></div>
        </form>
        <ErrorNotice error={costs.error} />
        <Show when={costs()} fallback={<Show when={!costs.error}><Loading /></Show>}>
          <Show when={costs()!.length} fallback={<Empty>{t('prices.cost.empty')}</Empty>}>
            <div class="table-wrap">
              <table class="table" data-testid="cost-prices-table">
                <thead><tr>
                  <th scope="col">{t('logs.channel')}</th><th scope="col">{t('logs.model')}</th>
                  <For each={PRICE_COLUMNS}>{([, , label]) => <th scope="col" class="num">{t(label)}</th>}</For>
                  <th scope="col"><span class="sr-only">{t('common.actions')}</span></th>
                </tr></thead>
                <tbody>
                  <For each={costs()}>{(row) => (
                    <tr data-cost={`${row.channel_id}:${row.model}`}>
                      <td translate="no">{channelName(row.channel_id)}</td>
                      <td class="mono">{row.model === '*' ? <>* <span class="muted small">{t('prices.cost.allModels')}</span></> : row.model}</td>
                      <For each={PRICE_COLUMNS}>{([col]) => <td class="num">{usd(row[col] as bigint | null)}</td>}</For>
                      <td><button class="btn small danger" type="button" aria-label={t('prices.cost.removeNamed', { model: row.model, channel: channelName(row.channel_id) })} onClick={() => void remove(row)}>{t('prices.cost.remove')}</button></td>
                    </tr>
                  )}</For>
                </tbody>
              </table>
            </div>
          </Show>
        </Show>
      </div>
    </div>
  );
}
