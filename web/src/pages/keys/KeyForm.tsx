// Create a key or change its limits: budget, periodic budget, expiry, models, IPs, RPM, TPM
// (and, for admins, the owner).
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { api } from '../../api/client.ts';
import { inlineFormError } from '../../api/errors.ts';
import { Drawer } from '../../components/Dialog.tsx';
import { SelectField, TextArea, TextField } from '../../components/Field.tsx';
import { nanoToUsd } from '../../../../server/billing/money.ts';
import { t } from '../../i18n/index.ts';
import { isAdmin } from '../../session.ts';

export type KeyRow = Awaited<ReturnType<typeof api.keys.list.query>>[number];
type Period = '' | 'daily' | 'weekly' | 'monthly';

const list = (s: string) => s.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
const usd = (v: bigint | null | undefined) => (v === null || v === undefined ? '' : nanoToUsd(v));
/** <input type="datetime-local"> wants local time without a zone. */
const localInput = (d: Date | string | null | undefined) => {
  if (!d) return '';
  const x = new Date(d);
  return new Date(x.getTime() - x.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function KeyForm(props: { keyRow: KeyRow | null; users: Array<{ id: number; username: string }>; onClose: () => void; onCreated: (key: string, model: string) => void; onSaved: () => void }) {
  const k = props.keyRow;
  const [f, setF] = createStore({
    name: k?.name ?? '', user: '', budget: usd(k?.budget), period: (k?.period ?? '') as Period, periodBudget: usd(k?.period_budget),
    expiresAt: localInput(k?.expires_at), models: (k?.models ?? []).join(', '), ips: (k?.ip_allow ?? []).join('\n'),
    rpm: k?.rpm?.toString() ?? '', tpm: k?.tpm?.toString() ?? '',
  });
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  /** Change a field and drop its (now stale) server error. */
  const set = <K extends keyof typeof f>(name: K, value: (typeof f)[K], field: string = name) => {
    setF(name, value);
    if (fields()[field]) setFields(({ [field]: _, ...rest }) => rest);
  };

  // Warnings, not errors: the server accepts these, but the key would not work as meant.
  const [available] = createResource(() => api.prices.available.query().then((r) => new Set(r.models.map((m) => m.model))).catch(() => null));
  const expiredAlready = () => !!f.expiresAt && new Date(f.expiresAt).getTime() <= Date.now();
  const unknownModels = createMemo(() => {
    const known = available();
    return known ? list(f.models).filter((m) => !known.has(m) && !m.includes('*')) : [];
  });

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setFields({});
    const limits = {
      budgetUsd: f.budget.trim() || null,
      period: f.period || null,
      periodBudgetUsd: f.period ? f.periodBudget.trim() || null : null,
      expiresAt: f.expiresAt ? new Date(f.expiresAt).toISOString() : null,
      models: list(f.models).length ? list(f.models) : null,
      ipAllow: list(f.ips).length ? list(f.ips) : null,
      rpm: f.rpm ? Number(f.rpm) : null,
      tpm: f.tpm ? Number(f.tpm) : null,
    };
    try {
      if (k) {
        await api.keys.update.mutate({ id: k.id, name: f.name, ...limits });
        props.onSaved();
      } else {
        const r = await api.keys.create.mutate({ name: f.name, ...(f.user ? { user: Number(f.user) } : {}), ...limits });
        props.onCreated(r.key, list(f.models)[0] ?? 'gpt-4o-mini');
      }
    } catch (err) {
      inlineFormError(err, setFields, setError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer open onClose={props.onClose} title={k ? t('keys.form.editTitle', { name: k.name }) : t('keys.form.createTitle')}
      footer={<>
        <button class="btn" type="button" onClick={props.onClose}>{t('common.cancel')}</button>
        <button class="btn primary" type="submit" form="key-form" disabled={busy()}>{k ? t('common.save') : t('keys.form.create')}</button>
      </>}>
      <form id="key-form" class="stack" onSubmit={submit}>
        <div class="form-grid">
          <TextField label={t('keys.name')} required value={f.name} error={fields().name} onInput={(e) => set('name', e.currentTarget.value)} />
          <Show when={!k && isAdmin()}>
            <SelectField label={t('keys.owner')} value={f.user} hint={t('keys.form.ownerHint')} onChange={(e) => setF('user', e.currentTarget.value)}>
              <option value="">{t('keys.form.me')}</option>
              <For each={props.users}>{(u) => <option value={u.id}>{u.username}</option>}</For>
            </SelectField>
          </Show>
        </div>
        <fieldset>
          <legend>{t('keys.form.limits')}</legend>
          <div class="form-grid">
            <TextField label={t('keys.form.budget')} inputMode="decimal" placeholder={t('keys.form.noLimit')} value={f.budget} error={fields().budgetUsd} onInput={(e) => set('budget', e.currentTarget.value, 'budgetUsd')} />
            <SelectField label={t('keys.form.period')} value={f.period} onChange={(e) => setF('period', e.currentTarget.value as Period)}>
              <option value="">{t('keys.form.noPeriod')}</option>
              <option value="daily">{t('keys.form.daily')}</option>
              <option value="weekly">{t('keys.form.weekly')}</option>
              <option value="monthly">{t('keys.form.monthly')}</option>
            </SelectField>
            <TextField label={t('keys.form.periodBudget')} inputMode="decimal" disabled={!f.period} value={f.periodBudget} error={fields().periodBudgetUsd} onInput={(e) => set('periodBudget', e.currentTarget.value, 'periodBudgetUsd')} />
            <TextField label={t('keys.form.expiresAt')} type="datetime-local" value={f.expiresAt} error={fields().expiresAt} onInput={(e) => set('expiresAt', e.currentTarget.value)} />
            <TextField label={t('keys.form.rpm')} type="number" min="1" placeholder={t('keys.form.noLimit')} value={f.rpm} error={fields().rpm} onInput={(e) => set('rpm', e.currentTarget.value)} />
            <TextField label={t('keys.form.tpm')} type="number" min="1" placeholder={t('keys.form.noLimit')} value={f.tpm} error={fields().tpm} onInput={(e) => set('tpm', e.currentTarget.value)} />
            <TextField class="wide" label={t('keys.form.models')} placeholder={t('keys.form.allModels')} value={f.models} hint={t('keys.form.modelsHint')} error={fields().models} onInput={(e) => set('models', e.currentTarget.value)} />
            <TextArea class="wide" label={t('keys.form.ips')} rows={3} placeholder="10.0.0.0/8" value={f.ips} hint={t('keys.form.ipsHint')} error={fields().ipAllow} onInput={(e) => set('ips', e.currentTarget.value, 'ipAllow')} />
          </div>
        </fieldset>
        <Show when={expiredAlready()}><div class="notice warn" data-testid="expiry-warning">{t('keys.form.expiredWarning')}</div></Show>
        <Show when={unknownModels().length}><div class="notice warn" data-testid="models-warning">{t('keys.form.unknownModels', { models: unknownModels().join(', '), n: unknownModels().length })}</div></Show>
        <Show when={error()}><div class="notice err" role="alert">{error()}</div></Show>
      </form>
    </Drawer>
  );
}
