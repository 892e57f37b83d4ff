// Models and prices for the signed-in account: every model an enabled channel in the
// account's group serves, with the price this account pays (list price × group multiplier).
import { A } from '@solidjs/router';
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../api/client.ts';
import { CopyButton } from '../components/CopyButton.tsx';
import { TextField } from '../components/Field.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../components/States.tsx';
import { money, num } from '../format.ts';
import { t } from '../i18n/index.ts';

export default function Models() {
  const [data] = createResource(() => api.prices.available.query());
  const [search, setSearch] = createSignal('');
  const shown = createMemo(() => (data()?.models ?? []).filter((m) => m.model.toLowerCase().includes(search().trim().toLowerCase())));
  const multiplier = () => (data() ? data()!.multiplierPpm / 1_000_000 : 1);

  return (
    <>
      <PageHead title={t('models.title')} description={t('models.description')}>
        <A class="btn primary" href="/playground">{t('nav.playground')}</A>
      </PageHead>
      <ErrorNotice error={data.error} />
      <Show when={data()} fallback={<Show when={!data.error}><Loading /></Show>}>
        <div class="card">
          <div class="card-head">
            <p class="muted small" style={{ margin: 0 }} data-testid="models-group">
              <Show when={data()!.group} fallback={t('models.allGroups')}>
                {t('models.groupLabel')} <strong translate="no">{data()!.group}</strong> · {t('models.groupPrice', { multiplier: num(multiplier()) })}
              </Show>
            </p>
            <TextField label={t('models.search')} type="search" value={search()} onInput={(e) => setSearch(e.currentTarget.value)} />
          </div>
          <div class="table-wrap">
            <table class="table" data-testid="models-table">
              <caption class="sr-only">{t('models.title')}</caption>
              <thead><tr>
                <th scope="col">{t('logs.model')}</th>
                <th scope="col" class="num">{t('models.input')}</th>
                <th scope="col" class="num">{t('models.output')}</th>
                <th scope="col" class="num">{t('models.cached')}</th>
                <th scope="col" class="num">{t('models.perRequest')}</th>
                <th scope="col"><span class="sr-only">{t('common.actions')}</span></th>
              </tr></thead>
              <tbody>
                <For each={shown()}>{(m) => (
                  <tr data-model={m.model}>
                    <td class="mono">{m.model}</td>
                    <Show when={m.price} fallback={<td class="muted" colSpan={4}>{data()!.missingPrice === 'fallback' ? t('models.fallbackPrice') : t('models.unpriced')}</td>}>
                      <td class="num">{money(m.price!.input)}</td>
                      <td class="num">{money(m.price!.output)}</td>
                      <td class="num">{m.price!.cacheRead !== null ? money(m.price!.cacheRead) : '—'}</td>
                      <td class="num">{m.price!.perRequest !== null ? money(m.price!.perRequest) : '—'}</td>
                    </Show>
                    <td><div class="row end" style={{ 'flex-wrap': 'nowrap' }}>
                      <CopyButton small value={m.model} label={t("models.copyName")} />
                      <A class="btn small" href={`/playground?model=${encodeURIComponent(m.model)}`} aria-label={t('models.tryNamed', { model: m.model })}>{t('models.try')}</A>
                    </div></td>
                  </tr>
                )}</For>
              </tbody>
            </table>
            <Show when={shown().length === 0}><Empty>{t('models.empty')}</Empty></Show>
          </div>
          <div class="card-body muted small">{t('models.unit')}</div>
        </div>
      </Show>
    </>
  );
}
