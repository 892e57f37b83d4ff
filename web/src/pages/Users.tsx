// Users & groups (admins): accounts with role, status, group, balance and usage; create,
// edit, adjust a balance with a reason; group multipliers.
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { subscribeLive } from '../api/live.ts';
import { createStore } from 'solid-js/store';
import { api } from '../api/client.ts';
import { inlineFormError } from '../api/errors.ts';
import { Drawer } from '../components/Dialog.tsx';
import { Checkbox, SelectField, TextField } from '../components/Field.tsx';
import { GroupsEditor } from '../components/GroupsEditor.tsx';
import { Icon } from '../components/icons.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty, ErrorNotice, Loading } from '../components/States.tsx';
import { toast, toastError } from '../components/Toasts.tsx';
import { date, money, toNano } from '../format.ts';
import { usdToNano } from '../../../server/billing/money.ts';
import { t } from '../i18n/index.ts';
import { me } from '../session.ts';

type UserRow = Awaited<ReturnType<typeof api.users.list.query>>[number];

export default function Users() {
  const [search, setSearch] = createSignal('');
  const [users, { refetch }] = createResource(search, (s) => api.users.list.query(s ? { search: s } : {}));
  const [editing, setEditing] = createSignal<UserRow | null | undefined>(undefined);
  const [adjusting, setAdjusting] = createSignal<UserRow | null>(null);
  const isRoot = () => me()?.role === 'root';
  // Balances move with every settled call: take them from the live feed.
  const [live, setLive] = createSignal<ReadonlyMap<number, bigint>>(new Map());
  const stop = subscribeLive((e) => {
    if (e.type === 'balance.changed') setLive((m) => new Map(m).set(e.userId, e.balance));
  }, () => {}, ['balance.changed']);
  onCleanup(stop);
  const balanceOf = (u: UserRow) => live().get(u.id) ?? u.balance;
  const remove = async (u: UserRow) => {
    if (!confirm(t('users.confirmDelete', { name: u.username }))) return;
    try {
      await api.users.delete.mutate({ id: u.id });
      toast(t('common.deleted'));
    } catch (e) {
      toastError(e);
    }
    void refetch();
  };

  return (
    <>
      <PageHead title={t('users.title')} description={t('users.description')}>
        <button class="btn primary" onClick={() => setEditing(null)}><Icon name="plus" />{t('users.create')}</button>
      </PageHead>
      <div class="stack">
        <div class="card">
          <div class="card-head">
            <h2>{t('users.accounts')}</h2>
            <div class="field"><label class="sr-only" for="user-search">{t('users.search')}</label>
              <input id="user-search" class="input" type="search" placeholder={t('users.search')} onChange={(e) => setSearch(e.currentTarget.value.trim())} /></div>
          </div>
          <ErrorNotice error={users.error} />
          <Show when={users()} fallback={<Loading />}>
            <div class="table-wrap">
              <table class="table" data-testid="users-table">
                <thead><tr><th scope="col">{t('users.username')}</th><th scope="col">{t('users.role')}</th><th scope="col">{t('users.status')}</th><th scope="col">{t('users.group')}</th><th scope="col" class="num">{t('billing.balance')}</th><th scope="col" class="num">{t('users.used')}</th><th scope="col">{t('users.created')}</th><th scope="col"><span class="sr-only">{t('common.actions')}</span></th></tr></thead>
                <tbody>
                  <For each={users()}>{(u) => (
                    <tr data-user={u.username}>
                      <td><strong>{u.username}</strong><Show when={u.display_name && u.display_name !== u.username}><div class="muted small">{u.display_name}</div></Show></td>
                      <td><span class={`badge ${u.role === 'user' ? '' : 'accent'}`}>{t(`roles.${u.role}`)}</span></td>
                      <td><span class={`badge ${u.status === 1 ? 'ok' : 'warn'}`}>{t(`users.statuses.${u.status === 1 ? 1 : u.status === 2 ? 2 : 3}`)}</span></td>
                      <td class="mono">{u.group_name}</td>
                      <td class="num" data-testid="user-balance">{u.unlimited ? t('users.unlimited') : money(balanceOf(u))}</td>
                      <td class="num">{money(u.used)}</td>
                      <td class="small">{date(u.created_at)}</td>
                      <td><div class="row end" style={{ 'flex-wrap': 'nowrap' }}>
                        <button class="btn small" onClick={() => setAdjusting(u)}>{t('users.adjust')}</button>
                        <button class="btn small" disabled={u.role !== 'user' && !isRoot()} onClick={() => setEditing(u)}>{t('common.edit')}</button>
                        <button class="btn small danger" aria-label={t('users.deleteNamed', { name: u.username })} disabled={u.role === 'root' || u.status === 3 || u.id === me()?.userId || (u.role !== 'user' && !isRoot())}
                          onClick={() => void remove(u)}>{t('common.delete')}</button>
                      </div></td>
                    </tr>
                  )}</For>
                </tbody>
              </table>
              <Show when={users()?.length === 0}><Empty>{t('users.empty')}</Empty></Show>
            </div>
          </Show>
        </div>
        <GroupsEditor />
      </div>
      <Show when={editing() !== undefined}>
        <UserForm user={editing() ?? null} canSetRole={isRoot()} onClose={() => setEditing(undefined)} onSaved={() => { setEditing(undefined); void refetch(); }} />
      </Show>
      <Show when={adjusting()}>
        <AdjustBalance user={adjusting()!} onClose={() => setAdjusting(null)} onSaved={() => { setAdjusting(null); void refetch(); }} />
      </Show>
    </>
  );
}

function UserForm(props: { user: UserRow | null; canSetRole: boolean; onClose: () => void; onSaved: () => void }) {
  const u = props.user;
  const [f, setF] = createStore({
    username: u?.username ?? '', displayName: u?.display_name ?? '', password: '', role: (u?.role === 'admin' ? 'admin' : 'user') as 'admin' | 'user',
    group: u?.group_name ?? 'default', balanceUsd: '', unlimited: u?.unlimited ?? false, enabled: (u?.status ?? 1) === 1,
    rpm: u?.rpm?.toString() ?? '', tpm: u?.tpm?.toString() ?? '',
  });
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal('');

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setFields({});
    setError('');
    try {
      if (u) {
        await api.users.update.mutate({
          id: u.id, displayName: f.displayName, group: f.group, unlimited: f.unlimited,
          ...(u.role !== 'root' ? { status: f.enabled ? 1 : 2 } : {}),
          ...(props.canSetRole && u.role !== 'root' ? { role: f.role } : {}),
          rpm: f.rpm ? Number(f.rpm) : null, tpm: f.tpm ? Number(f.tpm) : null,
          ...(f.password ? { password: f.password } : {}),
        });
      } else {
        await api.users.create.mutate({
          username: f.username, displayName: f.displayName || undefined, password: f.password || undefined, role: f.role,
          group: f.group, unlimited: f.unlimited, ...(f.balanceUsd ? { balanceUsd: f.balanceUsd } : {}),
        });
      }
      toast(t('common.saved'));
      props.onSaved();
    } catch (err) {
      inlineFormError(err, setFields, setError);
    }
  };

  return (
    <Drawer open onClose={props.onClose} title={u ? t('users.editTitle', { name: u.username }) : t('users.createTitle')}
      footer={<><button class="btn" type="button" onClick={props.onClose}>{t('common.cancel')}</button><button class="btn primary" type="submit" form="user-form">{t('common.save')}</button></>}>
      <form id="user-form" class="stack" onSubmit={submit}>
        <div class="form-grid">
          <TextField label={t('users.username')} required disabled={!!u} value={f.username} error={fields().username} onInput={(e) => setF('username', e.currentTarget.value)} />
          <TextField label={t('users.displayName')} value={f.displayName} error={fields().displayName} onInput={(e) => setF('displayName', e.currentTarget.value)} />
          <TextField label={u ? t('users.newPassword') : t('auth.password')} type="password" autocomplete="new-password" value={f.password} error={fields().password}
            hint={u ? t('users.passwordKeep') : t('users.passwordHint')} onInput={(e) => setF('password', e.currentTarget.value)} />
          <Show when={props.canSetRole && u?.role !== 'root'}>
            <SelectField label={t('users.role')} value={f.role} onChange={(e) => setF('role', e.currentTarget.value as 'admin' | 'user')}>
              <option value="user">{t('roles.user')}</option>
              <option value="admin">{t('roles.admin')}</option>
            </SelectField>
          </Show>
          <TextField label={t('users.group')} value={f.group} error={fields().group} onInput={(e) => setF('group', e.currentTarget.value)} />
          <Show when={!u}>
            <TextField label={t('users.openingBalance')} inputMode="decimal" value={f.balanceUsd} error={fields().balanceUsd} onInput={(e) => setF('balanceUsd', e.currentTarget.value)} />
          </Show>
          <Show when={u}>
            <TextField label={t('keys.form.rpm')} type="number" min="1" value={f.rpm} error={fields().rpm} onInput={(e) => setF('rpm', e.currentTarget.value)} />
            <TextField label={t('keys.form.tpm')} type="number" min="1" value={f.tpm} error={fields().tpm} onInput={(e) => setF('tpm', e.currentTarget.value)} />
          </Show>
        </div>
        <Checkbox label={t('users.unlimitedHint')} checked={f.unlimited} onChange={(v) => setF('unlimited', v)} />
        <Show when={u && u.role !== 'root'}><Checkbox label={t('users.enabled')} checked={f.enabled} onChange={(v) => setF('enabled', v)} /></Show>
        <Show when={error()}><div class="notice err" role="alert">{error()}</div></Show>
      </form>
    </Drawer>
  );
}

function AdjustBalance(props: { user: UserRow; onClose: () => void; onSaved: () => void }) {
  const [amount, setAmount] = createSignal('');
  const [reason, setReason] = createSignal('');
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal('');
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    // A deduction larger than the balance leaves the account owing: say so before doing it.
    const value = amount().trim();
    if (value.startsWith('-') && /^-\d+(\.\d{1,9})?$/.test(value) && usdToNano(value.slice(1)) > toNano(props.user.balance)) {
      if (!confirm(t('users.confirmOverdraft', { amount: money(usdToNano(value)), balance: money(props.user.balance) }))) return;
    }
    try {
      await api.users.adjustBalance.mutate({ id: props.user.id, amountUsd: value, reason: reason().trim() });
      toast(t('common.saved'));
      props.onSaved();
    } catch (err) {
      inlineFormError(err, setFields, setError);
    }
  };
  return (
    <Drawer open onClose={props.onClose} title={t('users.adjustTitle', { name: props.user.username })}
      footer={<><button class="btn" type="button" onClick={props.onClose}>{t('common.cancel')}</button><button class="btn primary" type="submit" form="adjust-form">{t('common.save')}</button></>}>
      <form id="adjust-form" class="stack" onSubmit={submit}>
        <p class="muted">{t('users.currentBalance', { balance: money(props.user.balance) })}</p>
        <TextField label={t('billing.amountUsd')} required inputMode="decimal" value={amount()} error={fields().amountUsd} hint={t('billing.amountHint')} onInput={(e) => setAmount(e.currentTarget.value)} />
        <TextField label={t('billing.reason')} required value={reason()} error={fields().reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <Show when={error()}><div class="notice err" role="alert">{error()}</div></Show>
      </form>
    </Drawer>
  );
}
