// Client keys: usage against limits, enable/disable, roll (new secret, same key), delete.
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../../api/client.ts';
import { Icon } from '../../components/icons.tsx';
import { PageHead } from '../../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../../components/States.tsx';
import { actionThenReload, toast, toastError } from '../../components/Toasts.tsx';
import { Toggle } from '../../components/Toggle.tsx';
import { date, dateTime, money } from '../../format.ts';
import { t } from '../../i18n/index.ts';
import { isAdmin } from '../../session.ts';
import { KeyForm, type KeyRow } from './KeyForm.tsx';
import { KeyReveal } from './KeyReveal.tsx';

export default function Keys() {
  const [keys, { refetch }] = createResource(() => api.keys.list.query({}));
  const [users] = createResource(async () => (isAdmin() ? await api.users.list.query({}).catch(() => []) : []));
  const [editing, setEditing] = createSignal<KeyRow | null | undefined>(undefined);
  const [secret, setSecret] = createSignal<{ key: string; model: string } | null>(null);
  const owner = (id: number) => users()?.find((u) => u.id === id)?.username ?? `#${id}`;

  const act = actionThenReload(refetch);

  const roll = async (k: KeyRow) => {
    if (!confirm(t('keys.confirmRoll', { name: k.name }))) return;
    try {
      const r = await api.keys.roll.mutate({ id: k.id });
      setSecret({ key: r.key, model: k.models?.[0] ?? 'gpt-4o-mini' });
    } catch (e) {
      toastError(e);
    }
    await refetch();
  };

  return (
    <>
      <PageHead title={t('keys.title')} description={t('keys.description')}>
        <button class="btn primary" onClick={() => setEditing(null)} data-testid="new-key-button"><Icon name="plus" />{t('keys.create')}</button>
      </PageHead>
      <ErrorNotice error={keys.error} />
      <div class="card">
        <Show when={keys()} fallback={<Loading />}>
          <div class="table-wrap">
            <table class="table" data-testid="keys-table">
              <caption class="sr-only">{t('keys.title')}</caption>
              <thead>
                <tr>
                  <th scope="col" class="num">{t('channels.id')}</th>
                  <th scope="col">{t('keys.name')}</th>
                  <th scope="col">{t('keys.key')}</th>
                  <Show when={isAdmin()}><th scope="col">{t('keys.owner')}</th></Show>
                  <th scope="col">{t('keys.enabled')}</th>
                  <th scope="col" class="num">{t('keys.used')}</th>
                  <th scope="col">{t('keys.limits')}</th>
                  <th scope="col">{t('keys.expires')}</th>
                  <th scope="col">{t('keys.lastUsed')}</th>
                  <th scope="col"><span class="sr-only">{t('common.actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                <For each={keys()}>{(k) => (
                  <tr data-key={k.name} data-id={k.id}>
                    <td class="num mono">{k.id}</td>
                    <td><strong>{k.name}</strong>
                      <Show when={isAdmin() && k.limitsChangedByOwnerAt}>
                        <div><span class="badge warn" data-testid="owner-changed-limits" title={dateTime(k.limitsChangedByOwnerAt)}>{t('keys.ownerChangedLimits')}</span></div>
                      </Show></td>
                    <td class="mono">{k.key_hint}</td>
                    <Show when={isAdmin()}><td>{owner(k.user_id)}</td></Show>
                    <td>
                      <div class="row">
                        <Toggle label={t('keys.enabledFor', { name: k.name })} hideLabel checked={k.status === 1} disabled={k.status > 2}
                          onChange={(on) => void act(() => api.keys.setStatus.mutate({ id: k.id, status: on ? 1 : 2 }))} />
                        <Show when={k.status > 2}><span class="badge warn">{t(`keys.status.${k.status === 3 ? 3 : 4}`)}</span></Show>
                      </div>
                    </td>
                    <td class="num">{money(k.used)}<Show when={k.budget !== null}> <span class="muted">/ {money(k.budget)}</span></Show></td>
                    <td class="small">
                      <div class="chips">
                        <Show when={k.period}><span class="chip">{t(`keys.form.${k.period!}`)} {money(k.period_budget)}</span></Show>
                        <Show when={k.rpm}><span class="chip">RPM {k.rpm}</span></Show>
                        <Show when={k.tpm}><span class="chip">TPM {k.tpm}</span></Show>
                        <Show when={k.models?.length}><span class="chip" title={k.models!.join(', ')}>{t('keys.nModels', { n: k.models!.length })}</span></Show>
                        <Show when={k.ip_allow?.length}><span class="chip" title={k.ip_allow!.join(', ')}>{t('keys.nIps', { n: k.ip_allow!.length })}</span></Show>
                      </div>
                    </td>
                    <td>{date(k.expires_at)}<Show when={k.expires_at && new Date(k.expires_at).getTime() < Date.now()}> <span class="badge warn">{t('keys.status.3')}</span></Show></td>
                    <td class="small">{dateTime(k.last_used_at)}</td>
                    <td>
                      <div class="row end" style={{ 'flex-wrap': 'nowrap' }}>
                        <button class="btn small" onClick={() => setEditing(k)}>{t('keys.editLimits')}</button>
                        <button class="btn small" onClick={() => void roll(k)}>{t('keys.roll')}</button>
                        <button class="btn small danger" aria-label={t('keys.deleteNamed', { name: k.name })}
                          onClick={() => { if (confirm(t('keys.confirmDelete', { name: k.name }))) void act(() => api.keys.delete.mutate({ id: k.id }), t('common.deleted')); }}>{t('common.delete')}</button>
                      </div>
                    </td>
                  </tr>
                )}</For>
              </tbody>
            </table>
            <Show when={keys()?.length === 0}><Empty>{t('keys.empty')}</Empty></Show>
          </div>
        </Show>
      </div>
      <Show when={editing() !== undefined}>
        <KeyForm keyRow={editing() ?? null} users={users() ?? []} onClose={() => setEditing(undefined)}
          onCreated={(key, model) => { setEditing(undefined); setSecret({ key, model }); void refetch(); }}
          onSaved={() => { setEditing(undefined); toast(t('common.saved')); void refetch(); }} />
      </Show>
      <KeyReveal secret={secret()} onClose={() => setSecret(null)} />
    </>
  );
}
