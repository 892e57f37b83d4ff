// The audit log (admins): every admin mutation with who did it, from where, what it targeted,
// whether it succeeded, and the masked before/after; filter by action, page back by id.
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../api/client.ts';
import { TextField } from '../components/Field.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../components/States.tsx';
import { toastError } from '../components/Toasts.tsx';
import { dateTime, num } from '../format.ts';
import { t } from '../i18n/index.ts';

const PAGE = 50;
type Row = Awaited<ReturnType<typeof api.audit.list.query>>[number];

const json = (x: unknown) => (x === null || x === undefined ? '' : JSON.stringify(x, null, 2));

export default function Audit() {
  const [action, setAction] = createSignal('');
  const [target, setTarget] = createSignal('');
  const filter = () => ({ action: action().trim() || undefined, target: target().trim() || undefined });
  const [first] = createResource(filter, (f) => api.audit.list.query({ ...f, limit: PAGE }));
  const [older, setOlder] = createSignal<Row[]>([]);
  const [done, setDone] = createSignal(false);
  const [open, setOpen] = createSignal<string | null>(null);
  const rows = () => (first() ? [...first()!, ...older()] : []);
  const reset = () => { setOlder([]); setDone(false); };
  const more = async () => {
    const last = rows().at(-1);
    if (!last) return;
    try {
      const page = await api.audit.list.query({ ...filter(), before: last.id, limit: PAGE });
      setOlder((l) => [...l, ...page]);
      if (page.length < PAGE) setDone(true);
    } catch (e) {
      toastError(e);
    }
  };

  return (
    <>
      <PageHead title={t('audit.title')} description={t('audit.description')} />
      <div class="card">
        <div class="card-body form-grid" role="search" aria-label={t('audit.filters')}>
          <TextField label={t('audit.action')} placeholder="users. / keys.update" hint={t('audit.actionHint')} value={action()} onChange={(e) => { reset(); setAction(e.currentTarget.value); }} />
          <TextField label={t('audit.target')} placeholder="users#3" value={target()} onChange={(e) => { reset(); setTarget(e.currentTarget.value); }} />
        </div>
        <ErrorNotice error={first.error} />
        <Show when={first() || !first.loading} fallback={<Loading />}>
          <div class="table-wrap">
            <table class="table" data-testid="audit-table">
              <caption class="sr-only">{t('audit.title')}</caption>
              <thead><tr>
                <th scope="col">{t('history.when')}</th><th scope="col">{t('audit.actor')}</th><th scope="col">{t('audit.action')}</th>
                <th scope="col">{t('audit.target')}</th><th scope="col">{t('audit.result')}</th><th scope="col">{t('audit.ip')}</th>
                <th scope="col"><span class="sr-only">{t('common.actions')}</span></th>
              </tr></thead>
              <tbody>
                <For each={rows()}>{(r) => (
                  <>
                    <tr data-action={r.action}>
                      <td class="small nowrap">{dateTime(r.created_at)}</td>
                      <td><span translate="no">{r.actor_name}</span><div class="muted small">{t(`audit.kinds.${r.actor_kind}`)}</div></td>
                      <td class="mono">{r.action}</td>
                      <td class="mono">{r.target ?? '—'}</td>
                      <td><span class={`badge ${r.ok ? 'ok' : 'err'}`} title={r.error ?? undefined}>{r.ok ? t('audit.ok') : t('audit.failed')}</span></td>
                      <td class="mono small">{r.ip ?? '—'}</td>
                      <td><button class="btn small" aria-expanded={open() === r.id} onClick={() => setOpen(open() === r.id ? null : r.id)}>{t('audit.details')}</button></td>
                    </tr>
                    <Show when={open() === r.id}>
                      <tr><td colSpan={7}>
                        <Show when={r.error}><div class="notice err">{r.error}</div></Show>
                        <div class="grid grid-2">
                          <div><h3>{t('audit.before')}</h3><pre class="code">{json(r.before) || '—'}</pre></div>
                          <div><h3>{t('audit.after')}</h3><pre class="code">{json(r.after) || '—'}</pre></div>
                        </div>
                      </td></tr>
                    </Show>
                  </>
                )}</For>
              </tbody>
            </table>
            <Show when={first() && rows().length === 0}><Empty>{t('audit.empty')}</Empty></Show>
          </div>
          <Show when={!done() && (first()?.length ?? 0) === PAGE}>
            <div class="card-body row pager">
              <span class="small">{t('billing.ledgerShown', { n: num(rows().length) })}</span>
              <button class="btn" data-testid="audit-more" onClick={() => void more()}>{t('billing.ledgerMore')}</button>
            </div>
          </Show>
        </Show>
      </div>
    </>
  );
}
