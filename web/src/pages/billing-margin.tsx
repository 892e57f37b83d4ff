// The operator's margin (admins): revenue (what users were billed), upstream cost (the
// channels' cost prices) and margin = revenue − upstream cost by channel, model, user or day
// over the Billing page's range, from billing.margin; the same report as CSV.
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../api/client.ts';
import { Icon } from '../components/icons.tsx';
import { Empty, ErrorNotice, Loading } from '../components/States.tsx';
import { money, num } from '../format.ts';
import { t } from '../i18n/index.ts';

const BY = ['channel', 'model', 'user', 'day'] as const;
type By = (typeof BY)[number];
export interface MarginRange { from: Date; to: Date; userId?: number }

/** GET /api/billing/margin.csv with the same filter as the view. */
export function marginCsvUrl(r: MarginRange, by: By): string {
  const q = new URLSearchParams({ from: r.from.toISOString(), to: r.to.toISOString(), by });
  if (r.userId !== undefined) q.set('userId', String(r.userId));
  return `/api/billing/margin.csv?${q}`;
}

export function MarginView(props: { range: MarginRange; userName: (id: number) => string }) {
  const [by, setBy] = createSignal<By>('channel');
  const [channels] = createResource(() => api.channels.list.query());
  const [report] = createResource(() => ({ ...props.range, by: by() }), (q) => api.billing.margin.query(q));
  const label = (group: string) => {
    if (report()?.by === 'channel') return group === '' ? t('billing.margin.noChannel') : (channels() ?? []).find((c) => String(c.id) === group)?.name ?? `#${group}`;
    if (report()?.by === 'user') return group === '' ? '—' : props.userName(Number(group));
    return group;
  };
  return (
    <div class="card" data-testid="margin-view">
      <div class="card-head">
        <h2>{t('billing.margin.title')}</h2>
        <div class="row">
          <div class="segmented" role="group" aria-label={t('billing.margin.groupBy')}>
            <For each={BY}>{(b) => <button type="button" aria-pressed={by() === b} onClick={() => setBy(b)}>{t(`billing.margin.by.${b}`)}</button>}</For>
          </div>
          <a class="btn" href={marginCsvUrl(props.range, by())} download="" data-testid="margin-csv"><Icon name="import" />{t('history.export')}</a>
        </div>
      </div>
      <div class="card-body stack">
        <p class="muted small" style={{ margin: 0 }}>{t('billing.margin.hint')}</p>
        <ErrorNotice error={report.error} />
        <Show when={report()} fallback={<Show when={!report.error}><Loading /></Show>}>
          {(r) => (
            <>
              <div class="grid grid-4">
                <div class="card card-body stat"><div class="label">{t('billing.margin.revenue')}</div><div class="value" data-testid="margin-revenue">{money(r().total.revenue)}</div></div>
                <div class="card card-body stat"><div class="label">{t('billing.margin.upstreamCost')}</div><div class="value" data-testid="margin-upstream">{money(r().total.upstreamCost)}</div></div>
                <div class="card card-body stat"><div class="label">{t('billing.margin.margin')}</div><div class="value" data-testid="margin-margin">{money(r().total.margin)}</div></div>
              </div>
              <Show when={r().total.unpricedCalls > 0}>
                <div class="notice warn" data-testid="margin-unpriced">{t('billing.margin.unpricedNotice', { n: num(r().total.unpricedCalls) })}</div>
              </Show>
              <Show when={r().rows.length} fallback={<Empty>{t('dashboard.noUsage')}</Empty>}>
                <div class="table-wrap">
                  <table class="table" data-testid="margin-table">
                    <thead><tr>
                      <th scope="col">{t(`billing.margin.by.${r().by}`)}</th><th scope="col" class="num">{t('dashboard.calls')}</th>
                      <th scope="col" class="num">{t('billing.margin.unpriced')}</th><th scope="col" class="num">{t('billing.margin.revenue')}</th>
                      <th scope="col" class="num">{t('billing.margin.upstreamCost')}</th><th scope="col" class="num">{t('billing.margin.margin')}</th>
                    </tr></thead>
                    <tbody>
                      <For each={r().rows}>{(row) => (
                        <tr data-group={row.group}>
                          <td class={r().by === 'model' ? 'mono' : ''} translate={r().by === 'day' ? undefined : 'no'}>{label(row.group)}</td>
                          <td class="num">{num(row.calls)}</td><td class="num">{num(row.unpricedCalls)}</td>
                          <td class="num">{money(row.revenue)}</td><td class="num">{money(row.upstreamCost)}</td><td class="num">{money(row.margin)}</td>
                        </tr>
                      )}</For>
                    </tbody>
                    <tfoot>
                      <tr data-testid="margin-total">
                        <th scope="row">{t('billing.margin.total')}</th>
                        <td class="num">{num(r().total.calls)}</td><td class="num">{num(r().total.unpricedCalls)}</td>
                        <td class="num">{money(r().total.revenue)}</td><td class="num">{money(r().total.upstreamCost)}</td><td class="num">{money(r().total.margin)}</td>
                      </tr>
                    </tfoot>
                  </table>
                </div>
              </Show>
            </>
          )}
        </Show>
      </div>
    </div>
  );
}
