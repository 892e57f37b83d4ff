// Models & prices: the editable price table (USD per 1M tokens), a warning for models that
// channels serve without a price, cost prices per channel (cost-prices.tsx) and group multipliers.
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { nanoToUsd } from '../../../server/billing/money.ts';
import { api } from '../api/client.ts';
import { GroupsEditor } from '../components/GroupsEditor.tsx';
import { TextField } from '../components/Field.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../components/States.tsx';
import { formError, toast, toastError } from '../components/Toasts.tsx';
import { dateTime } from '../format.ts';
import { type MessageKey, t } from '../i18n/index.ts';
import { CostPrices } from './cost-prices.tsx';
import { PRICE_COLUMNS, type PriceDraft, priceInput } from './price-columns.ts';

type PriceRow = Awaited<ReturnType<typeof api.prices.list.query>>[number];
type Draft = PriceDraft;

const text = (v: bigint | null) => (v === null ? '' : nanoToUsd(v));


export default function Prices() {
  const [prices, { refetch }] = createResource(() => api.prices.list.query());
  const [channels] = createResource(() => api.channels.list.query());
  const [search, setSearch] = createSignal('');
  const [adding, setAdding] = createStore({ model: '', inputUsdPerM: '', outputUsdPerM: '', cacheReadUsdPerM: '', cacheWrite5mUsdPerM: '', cacheWrite1hUsdPerM: '', perRequestUsd: '' });
  const [addFields, setAddFields] = createSignal<Record<string, string>>({});

  const missing = createMemo(() => {
    const priced = new Set((prices() ?? []).map((p) => p.model));
    const served = new Set((channels() ?? []).flatMap((c) => c.models));
    return [...served].filter((m) => !priced.has(m)).sort();
  });
  const shown = () => (prices() ?? []).filter((p) => p.model.toLowerCase().includes(search().toLowerCase()));

  const add = async (e: SubmitEvent) => {
    e.preventDefault();
    setAddFields({});
    try {
      const { model, ...d } = adding;
      await api.prices.set.mutate(priceInput(model.trim(), d));
      toast(t('common.saved'));
      setAdding({ model: '', inputUsdPerM: '', outputUsdPerM: '', cacheReadUsdPerM: '', cacheWrite5mUsdPerM: '', cacheWrite1hUsdPerM: '', perRequestUsd: '' });
      await refetch();
    } catch (err) {
      formError(err, setAddFields);
    }
  };

  return (
    <>
      <PageHead title={t('prices.title')} description={t('prices.description')} />
      <div class="stack">
        <Show when={missing().length}>
          <div class="notice warn" role="alert" data-testid="missing-prices">
            <strong>{t('prices.missingTitle', { n: missing().length })}</strong> {t('prices.missingBody')}
            <div class="chips" style={{ 'margin-top': '8px' }}>
              <For each={missing()}>{(m) => <button class="chip" type="button" onClick={() => { setAdding('model', m); document.getElementById('new-price-model')?.focus(); }}>{m}</button>}</For>
            </div>
          </div>
        </Show>

        <form class="card" onSubmit={add}>
          <div class="card-head"><h2>{t('prices.addTitle')}</h2><span class="muted small">{t('prices.unitHint')}</span></div>
          <div class="card-body form-grid">
            <TextField id="new-price-model" label={t('logs.model')} required value={adding.model} error={addFields().model} onInput={(e) => setAdding('model', e.currentTarget.value)} />
            <For each={PRICE_COLUMNS}>{([, field, label]) => (
              <TextField label={t(label)} inputMode="decimal" required={field === 'inputUsdPerM'} hint={field === 'outputUsdPerM' ? t('prices.outputHint') : undefined} value={adding[field]} error={addFields()[field]} onInput={(e) => setAdding(field, e.currentTarget.value)} />
            )}</For>
          </div>
          <div class="card-foot"><button class="btn primary" type="submit">{t('prices.save')}</button></div>
        </form>

        <div class="card">
          <div class="card-head">
            <h2>{t('prices.table')}</h2>
            <div class="field"><label class="sr-only" for="price-search">{t('prices.search')}</label><input id="price-search" class="input" type="search" placeholder={t('prices.search')} value={search()} onInput={(e) => setSearch(e.currentTarget.value)} /></div>
          </div>
          <ErrorNotice error={prices.error} />
          <Show when={prices()} fallback={<Loading />}>
            <div class="table-wrap">
              <table class="table" data-testid="prices-table">
                <thead><tr><th scope="col">{t('logs.model')}</th><For each={PRICE_COLUMNS}>{([, , label]) => <th scope="col">{t(label)}</th>}</For><th scope="col">{t('prices.source')}</th><th scope="col"><span class="sr-only">{t('common.actions')}</span></th></tr></thead>
                <tbody>
                  <For each={shown()}>{(p) => <PriceEditRow row={p} onSaved={() => void refetch()} />}</For>
                </tbody>
              </table>
              <Show when={shown().length === 0}><Empty>{t('prices.empty')}</Empty></Show>
            </div>
          </Show>
        </div>
        <CostPrices />
        <GroupsEditor />
      </div>
    </>
  );
}

function PriceEditRow(props: { row: PriceRow; onSaved: () => void }) {
  const initial = () => Object.fromEntries(PRICE_COLUMNS.map(([col, field]) => [field, text(props.row[col] as bigint | null)])) as Draft;
  const [draft, setDraft] = createStore<Draft>(initial());
  const dirty = () => PRICE_COLUMNS.some(([, f]) => draft[f] !== initial()[f]);
  const save = async () => {
    try {
      await api.prices.set.mutate(priceInput(props.row.model, draft));
      toast(t('common.saved'));
      props.onSaved();
    } catch (e) {
      toastError(e);
    }
  };
  return (
    <tr>
      <td class="mono">{props.row.model}</td>
      <For each={PRICE_COLUMNS}>{([, field, label]) => (
        <td><input class="input compact" inputMode="decimal" style={{ width: '96px' }} aria-label={`${props.row.model} ${t(label)}`} value={draft[field]} onInput={(e) => setDraft(field, e.currentTarget.value)} /></td>
      )}</For>
      <td class="small muted" title={dateTime(props.row.updated_at)} translate="no">{props.row.source ?? '—'}</td>
      <td><button class="btn small" disabled={!dirty()} onClick={() => void save()}>{t('common.save')}</button></td>
    </tr>
  );
}
