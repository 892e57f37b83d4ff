// Redemption codes: create them (shown once), then list every code with its status, amount,
// who redeemed it and when; disable unused ones, delete any.
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../api/client.ts';
import { CopyButton } from '../components/CopyButton.tsx';
import { SelectField, TextField } from '../components/Field.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../components/States.tsx';
import { actionThenReload, formError, toastError } from '../components/Toasts.tsx';
import { dateTime, money, num } from '../format.ts';
import { t } from '../i18n/index.ts';

const PAGE = 100;
type Code = Awaited<ReturnType<typeof api.billing.codes.list.query>>[number];
type Status = 1 | 2 | 3;
const TONE: Record<number, string> = { 1: 'ok', 2: '', 3: 'accent' };

export default function Codes() {
  const [status, setStatus] = createSignal<Status | undefined>(undefined);
  const [name, setName] = createSignal('');
  const filter = () => ({ status: status(), name: name().trim() || undefined });
  const [first, { refetch }] = createResource(filter, (f) => api.billing.codes.list.query({ ...f, limit: PAGE }));
  const [older, setOlder] = createSignal<Code[]>([]);
  const [done, setDone] = createSignal(false);
  const rows = () => (first() ? [...first()!, ...older()] : []);
  const hasMore = () => !done() && (first()?.length ?? 0) === PAGE;
  const reload = async () => { setOlder([]); setDone(false); await refetch(); };
  const more = async () => {
    const last = rows().at(-1);
    if (!last) return;
    try {
      const page = await api.billing.codes.list.query({ ...filter(), before: last.id, limit: PAGE });
      setOlder((l) => [...l, ...page]);
      if (page.length < PAGE) setDone(true);
    } catch (e) {
      toastError(e);
    }
  };

  const act = actionThenReload(reload);
  const disable = (c: Code) => act(() => api.billing.codes.disable.mutate({ ids: [c.id] }), t('codes.disabled'));
  const remove = async (c: Code) => {
    if (!confirm(t(c.status === 3 ? 'codes.confirmDeleteUsed' : 'codes.confirmDelete', { hint: c.code_hint }))) return;
    await act(() => api.billing.codes.delete.mutate({ ids: [c.id] }), t('common.deleted'));
  };

  return (
    <>
      <PageHead title={t('codes.title')} description={t('codes.description')} />
      <div class="stack">
        <CreateCodes onCreated={() => void reload()} />
        <div class="card">
          <div class="card-body form-grid" role="search" aria-label={t('codes.filters')}>
            <SelectField label={t('codes.status')} value={status() ?? ''} onChange={(e) => setStatus(e.currentTarget.value ? (Number(e.currentTarget.value) as Status) : undefined)}>
              <option value="">{t('common.all')}</option>
              <option value="1">{t('codes.statuses.1')}</option>
              <option value="2">{t('codes.statuses.2')}</option>
              <option value="3">{t('codes.statuses.3')}</option>
            </SelectField>
            <TextField label={t('codes.name')} value={name()} onChange={(e) => setName(e.currentTarget.value)} />
          </div>
          <ErrorNotice error={first.error} />
          <Show when={first() || !first.loading} fallback={<Loading />}>
            <div class="table-wrap">
              <table class="table" data-testid="codes-table">
                <caption class="sr-only">{t('codes.title')}</caption>
                <thead>
                  <tr>
                    <th scope="col" class="num">{t('channels.id')}</th>
                    <th scope="col">{t('codes.name')}</th>
                    <th scope="col">{t('codes.code')}</th>
                    <th scope="col" class="num">{t('billing.amount')}</th>
                    <th scope="col">{t('codes.status')}</th>
                    <th scope="col">{t('codes.created')}</th>
                    <th scope="col">{t('codes.redeemedBy')}</th>
                    <th scope="col"><span class="sr-only">{t('common.actions')}</span></th>
                  </tr>
                </thead>
                <tbody>
                  <For each={rows()}>{(c) => (
                    <tr data-code={c.id} data-status={c.status}>
                      <td class="num mono">{c.id}</td>
                      <td>{c.name || <span class="muted">—</span>}</td>
                      <td class="mono" title={t('codes.hintOnly')}>{c.code_hint}</td>
                      <td class="num">{money(c.amount)}</td>
                      <td><span class={`badge ${TONE[c.status] ?? ''}`}>{t(`codes.statuses.${(c.status === 2 || c.status === 3 ? c.status : 1) as Status}`)}</span></td>
                      <td class="small">{dateTime(c.created_at)}<Show when={c.created_by}><div class="muted" translate="no">{c.created_by}</div></Show></td>
                      <td class="small" data-testid="redeemed-by">
                        <Show when={c.redeemed_by !== null} fallback={<span class="muted">—</span>}>
                          {c.redeemed_by_name ?? `#${c.redeemed_by}`}<div class="muted">{dateTime(c.redeemed_at)}</div>
                        </Show>
                      </td>
                      <td>
                        <div class="row end" style={{ 'flex-wrap': 'nowrap' }}>
                          <Show when={c.status === 1}>
                            <button class="btn small" aria-label={t('codes.disableNamed', { id: c.id })} onClick={() => void disable(c)}>{t('channels.disable')}</button>
                          </Show>
                          <button class="btn small danger" aria-label={t('codes.deleteNamed', { id: c.id })} onClick={() => void remove(c)}>{t('common.delete')}</button>
                        </div>
                      </td>
                    </tr>
                  )}</For>
                </tbody>
              </table>
              <Show when={first() && rows().length === 0}><Empty>{t('codes.empty')}</Empty></Show>
            </div>
            <Show when={hasMore()}>
              <div class="card-body row pager">
                <span class="small">{t('billing.ledgerShown', { n: num(rows().length) })}</span>
                <button class="btn" onClick={() => void more()}>{t('billing.ledgerMore')}</button>
              </div>
            </Show>
          </Show>
        </div>
      </div>
    </>
  );
}

function CreateCodes(props: { onCreated: () => void }) {
  const [name, setName] = createSignal('');
  const [amount, setAmount] = createSignal('');
  const [count, setCount] = createSignal('1');
  const [codes, setCodes] = createSignal<string[]>([]);
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setFields({});
    try {
      const r = await api.billing.codes.create.mutate({ name: name().trim(), amountUsd: amount().trim(), count: Number(count()) });
      setCodes(r.codes.map((c) => c.code));
      props.onCreated();
    } catch (err) {
      formError(err, setFields);
    }
  };
  return (
    <form class="card card-body stack" onSubmit={submit}>
      <h2>{t('billing.codesTitle')}</h2>
      <div class="form-grid">
        <TextField label={t('billing.codeName')} value={name()} error={fields().name} onInput={(e) => { setName(e.currentTarget.value); setFields(({ name: _, ...f }) => f); }} />
        <TextField label={t('billing.amountUsd')} inputMode="decimal" required value={amount()} error={fields().amountUsd} onInput={(e) => { setAmount(e.currentTarget.value); setFields(({ amountUsd: _, ...f }) => f); }} />
        <TextField label={t('billing.count')} type="number" min="1" max="1000" required value={count()} error={fields().count} onInput={(e) => { setCount(e.currentTarget.value); setFields(({ count: _, ...f }) => f); }} />
      </div>
      <div><button class="btn primary" type="submit" disabled={!amount()}>{t('billing.createCodes')}</button></div>
      <Show when={codes().length}>
        <div class="notice warn">{t('billing.codesOnce')}</div>
        <pre class="code" data-testid="new-codes">{codes().join('\n')}</pre>
        <div><CopyButton value={codes().join('\n')} label={t('billing.copyCodes')} /></div>
      </Show>
    </form>
  );
}
