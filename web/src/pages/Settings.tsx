// Settings: your preferences, password, sessions and access tokens; for admins, the system
// settings (call logs and body capture, routing and health with cache affinity and ranking,
// missing-price policy).
import { createResource, createSignal, For, Show } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { api } from '../api/client.ts';
import { SecretField } from '../components/CopyButton.tsx';
import { SelectField, TextField } from '../components/Field.tsx';
import { PageHead } from '../components/Layout.tsx';
import { ErrorNotice, Loading } from '../components/States.tsx';
import { formError, toast, toastError } from '../components/Toasts.tsx';
import { dateTime } from '../format.ts';
import { nanoToUsd } from '../../../server/billing/money.ts';
import { type Locale, locale, setLocale, t, type MessageKey } from '../i18n/index.ts';
import { isAdmin, me } from '../session.ts';
import { setTheme, themeChoice, type ThemeChoice } from '../theme/theme.ts';

/** The ranking modes (server/routing/settings.ts) and an example. */
const RANK_CODES = ['latency', 'cost', 'weight', 'gpt-4o=latency'];

export default function Settings() {
  return (
    <>
      <PageHead title={t('settings.title')} description={t('settings.description')} />
      <div class="stack">
        <Preferences />
        <Show when={me()?.userId !== null}>
          <div class="grid grid-2">
            <ChangePassword />
            <AccessTokens />
          </div>
          <Sessions />
        </Show>
        <Show when={isAdmin()}>
          <SystemSettings title="settings.logs.title" load={() => api.logs.settings.query()} save={(p) => api.logs.setSettings.mutate(p as never)}
            fields={[
              { name: 'retentionDays', kind: 'int', label: 'settings.logs.retentionDays', hint: 'settings.logs.retentionHint' },
              { name: 'captureMaxBytes', kind: 'int', label: 'settings.logs.captureMaxBytes' },
              { name: 'captureKeys', kind: 'ints', label: 'settings.logs.captureKeys', hint: 'settings.logs.captureKeysHint', describe: describeKeys },
              { name: 'captureModels', kind: 'strings', label: 'settings.logs.captureModels', hint: 'settings.logs.captureHint' },
            ]} />
          <SystemSettings title="settings.routing.title" load={() => api.routing.settings.query()} save={(p) => api.routing.setSettings.mutate(p as never)}
            fields={[
              { name: 'retries', kind: 'int', label: 'settings.routing.retries' },
              { name: 'keyRotation', kind: 'choice', label: 'settings.routing.keyRotation', options: ['round-robin', 'random'] },
              { name: 'healthErrorRate', kind: 'number', label: 'settings.routing.healthErrorRate', hint: 'settings.routing.healthErrorRateHint' },
              { name: 'healthMinRequests', kind: 'int', label: 'settings.routing.healthMinRequests' },
              { name: 'healthWindowMs', kind: 'int', label: 'settings.routing.healthWindowMs' },
              { name: 'probeIntervalMs', kind: 'int', label: 'settings.routing.probeIntervalMs' },
              { name: 'testIntervalMs', kind: 'int', label: 'settings.routing.testIntervalMs', hint: 'settings.routing.zeroOff' },
              { name: 'testPrompt', kind: 'text', label: 'settings.routing.testPrompt' },
              { name: 'balanceIntervalMs', kind: 'int', label: 'settings.routing.balanceIntervalMs' },
              { name: 'affinityTtlMs', kind: 'int', label: 'settings.routing.affinityTtlMs', hint: 'settings.routing.affinityTtlHint' },
              { name: 'rankByModel', kind: 'pairs', label: 'settings.routing.rankByModel', hint: 'settings.routing.rankHint', codes: RANK_CODES },
              { name: 'rankByGroup', kind: 'pairs', label: 'settings.routing.rankByGroup', hint: 'settings.routing.rankHint', codes: ['latency', 'cost', 'weight', 'default=cost'] },
            ]} />
          <SystemSettings title="settings.billing.title" load={loadBillingSettings} save={saveBillingSettings}
            fields={[
              { name: 'missingPrice', kind: 'choice', label: 'settings.billing.missingPrice', options: ['reject', 'fallback'], hint: 'settings.billing.missingPriceHint' },
              { name: 'fallbackInput', kind: 'text', label: 'settings.billing.fallbackInput', hint: 'settings.billing.fallbackHint' },
              { name: 'fallbackOutput', kind: 'text', label: 'settings.billing.fallbackOutput', hint: 'settings.billing.fallbackHint' },
              { name: 'timezone', kind: 'text', label: 'settings.billing.timezone' },
            ]} />
        </Show>
      </div>
    </>
  );
}

// Billing settings live in two procedures: the missing-price policy with its fallback price
// (prices) and the timezone (billing).
let storedPolicy: { missingPrice: 'reject' | 'fallback'; fallbackInput: string; fallbackOutput: string } | null = null;
async function loadBillingSettings() {
  const [policy, billing] = await Promise.all([api.prices.policy.query(), api.billing.settings.query()]);
  const fb = policy.fallback as { input?: string; output?: string } | null;
  storedPolicy = { missingPrice: policy.missingPrice, fallbackInput: fb?.input ? nanoToUsd(BigInt(fb.input)) : '', fallbackOutput: fb?.output ? nanoToUsd(BigInt(fb.output)) : '' };
  return { ...storedPolicy, timezone: billing.timezone };
}

async function saveBillingSettings(patch: Record<string, unknown>) {
  if (patch.missingPrice !== undefined || patch.fallbackInput !== undefined || patch.fallbackOutput !== undefined) {
    const input = String(patch.fallbackInput ?? storedPolicy?.fallbackInput ?? '').trim();
    const output = String(patch.fallbackOutput ?? storedPolicy?.fallbackOutput ?? '').trim();
    const fallbackChanged = patch.fallbackInput !== undefined || patch.fallbackOutput !== undefined;
    await api.prices.setPolicy.mutate({
      missingPrice: (patch.missingPrice ?? storedPolicy?.missingPrice ?? 'reject') as 'reject' | 'fallback',
      ...(fallbackChanged && (input || output) ? { fallback: { inputUsdPerM: input || '0', outputUsdPerM: output || '0' } } : {}),
    });
  }
  if (patch.timezone !== undefined) await api.billing.setTimezone.mutate({ timezone: String(patch.timezone) });
}

/** "3 = laptop (alice)": which keys the ids in the field are. */
const [captureKeyList] = createResource(() => (isAdmin() ? api.keys.list.query({ limit: 1000 }).catch(() => []) : Promise.resolve([])));
function describeKeys(value: string): string {
  const keys = captureKeyList() ?? [];
  return value.split(',').map((x) => x.trim()).filter(Boolean).map((id) => {
    const k = keys.find((x) => String(x.id) === id);
    return k ? `#${id} ${k.name}` : `#${id} ${t('settings.logs.unknownKey')}`;
  }).join(' · ');
}

function Preferences() {
  return (
    <div class="card">
      <div class="card-head"><h2>{t('settings.preferences')}</h2></div>
      <div class="card-body form-grid">
        <SelectField label={t('settings.language')} value={locale()} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
          <option value="en">English</option>
          <option value="zh-CN">简体中文</option>
        </SelectField>
        <SelectField label={t('settings.theme')} value={themeChoice()} onChange={(e) => setTheme(e.currentTarget.value as ThemeChoice)}>
          <option value="system">{t('theme.system')}</option>
          <option value="light">{t('theme.light')}</option>
          <option value="dark">{t('theme.dark')}</option>
        </SelectField>
      </div>
    </div>
  );
}

function ChangePassword() {
  const [f, setF] = createStore({ current: '', next: '' });
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setFields({});
    try {
      await api.auth.changePassword.mutate({ currentPassword: f.current, newPassword: f.next });
      setF({ current: '', next: '' });
      toast(t('settings.passwordChanged'));
    } catch (err) {
      formError(err, setFields);
    }
  };
  return (
    <form class="card card-body stack" onSubmit={submit}>
      <h2>{t('settings.changePassword')}</h2>
      <TextField label={t('settings.currentPassword')} type="password" autocomplete="current-password" required value={f.current} error={fields().currentPassword} onInput={(e) => setF('current', e.currentTarget.value)} />
      <TextField label={t('settings.newPassword')} type="password" autocomplete="new-password" required minLength={8} value={f.next} error={fields().newPassword} hint={t('users.passwordHint')} onInput={(e) => setF('next', e.currentTarget.value)} />
      <div><button class="btn primary" type="submit">{t('settings.changePassword')}</button></div>
    </form>
  );
}

function AccessTokens() {
  const [tokens, { refetch }] = createResource(() => api.tokens.list.query({}));
  const [name, setName] = createSignal('');
  const [created, setCreated] = createSignal('');
  const create = async (e: SubmitEvent) => {
    e.preventDefault();
    try {
      const r = await api.tokens.create.mutate({ name: name().trim() });
      setCreated(r.token);
      setName('');
      await refetch();
    } catch (err) {
      toastError(err);
    }
  };
  return (
    <div class="card card-body stack">
      <h2>{t('settings.tokens')}</h2>
      <p class="muted small" style={{ margin: 0 }}>{t('settings.tokensHint')}</p>
      <Show when={created()}><div class="notice warn">{t('keys.reveal.once')}</div><SecretField label={t('settings.newToken')} value={created()} /></Show>
      <ErrorNotice error={tokens.error} />
      <For each={tokens()}>{(tk) => (
        <div class="row">
          <strong>{tk.name}</strong><span class="mono small">{tk.token_hint}</span>
          <span class="spacer" style={{ flex: 1 }} />
          <button class="btn small danger" onClick={() => { if (confirm(t('settings.confirmRevokeToken', { name: tk.name }))) void api.tokens.revoke.mutate({ id: tk.id }).then(() => refetch(), toastError); }}>{t('settings.revoke')}</button>
        </div>
      )}</For>
      <form class="row" style={{ 'align-items': 'flex-end' }} onSubmit={create}>
        <TextField class="grow" label={t('settings.tokenName')} required value={name()} onInput={(e) => setName(e.currentTarget.value)} />
        <button class="btn" type="submit" disabled={!name().trim()}>{t('settings.createToken')}</button>
      </form>
    </div>
  );
}

function Sessions() {
  const [sessions, { refetch }] = createResource(() => api.auth.sessions.query());
  return (
    <div class="card">
      <div class="card-head"><h2>{t('settings.sessions')}</h2></div>
      <ErrorNotice error={sessions.error} />
      <div class="table-wrap">
        <table class="table">
          <thead><tr><th scope="col">{t('settings.signedIn')}</th><th scope="col">{t('settings.lastSeen')}</th><th scope="col">{t('calls.client')}</th><th scope="col"><span class="sr-only">{t('common.actions')}</span></th></tr></thead>
          <tbody>
            <For each={sessions()}>{(s) => (
              <tr>
                <td class="small">{dateTime(s.created_at)}</td>
                <td class="small">{dateTime(s.last_seen_at)}</td>
                <td class="small mono" translate="no">{[s.ip, s.user_agent].filter(Boolean).join(' · ')}</td>
                <td>{s.current ? <span class="badge ok">{t('settings.thisSession')}</span>
                  : <button class="btn small" onClick={() => { if (confirm(t('settings.confirmRevokeSession'))) void api.auth.revokeSession.mutate({ id: s.id }).then(() => refetch(), toastError); }}>{t('settings.revoke')}</button>}</td>
              </tr>
            )}</For>
          </tbody>
        </table>
      </div>
    </div>
  );
}

interface FieldSpec {
  /** `pairs`: a record edited as `name=value, name=value` (e.g. ranking per model). */
  name: string; kind: 'int' | 'number' | 'text' | 'ints' | 'strings' | 'choice' | 'pairs'; label: MessageKey; hint?: MessageKey; options?: string[];
  /** Values shown as code after the hint (what the field accepts). */
  codes?: string[];
  /** A live description of the current value (e.g. which keys an id list names). */
  describe?: (value: string) => string;
}

/** An option's name in the current language, or the value itself when it has none. */
const optionName = (o: string) => {
  const name = t(`settings.options.${o}` as MessageKey);
  return name.startsWith('settings.options.') ? o : name;
};

/** A settings group: `{ values }` from the server, edited as text, saved as one patch of the changed fields. */
function SystemSettings(props: { title: MessageKey; fields: FieldSpec[]; load: () => Promise<unknown>; save: (patch: Record<string, unknown>) => Promise<unknown> }) {
  const [data, { refetch }] = createResource(async () => {
    const r = (await props.load()) as { values?: Record<string, unknown> } & Record<string, unknown>;
    return (r.values ?? r) as Record<string, unknown>;
  });
  const [draft, setDraft] = createStore<Record<string, string>>({});
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const stored = (f: FieldSpec) => {
    const value = data()?.[f.name];
    if (Array.isArray(value)) return value.join(', ');
    if (f.kind === 'pairs') return Object.entries((value ?? {}) as Record<string, unknown>).map(([k, x]) => `${k}=${String(x)}`).join(', ');
    return String(value ?? '');
  };
  const shown = (f: FieldSpec) => draft[f.name] ?? stored(f);
  /** A change also drops that field's stale server error. */
  const edit = (f: FieldSpec, value: string) => {
    setDraft(f.name, value);
    if (fields()[f.name]) setFields(({ [f.name]: _, ...rest }) => rest);
  };
  const parse = (f: FieldSpec, s: string): unknown => {
    const list = s.split(',').map((x) => x.trim()).filter(Boolean);
    if (f.kind === 'int' || f.kind === 'number') return Number(s);
    if (f.kind === 'ints') return list.map(Number);
    if (f.kind === 'strings') return list;
    if (f.kind === 'pairs') return Object.fromEntries(list.map((p) => { const at = p.lastIndexOf('='); return at < 0 ? [p, ''] : [p.slice(0, at).trim(), p.slice(at + 1).trim()]; }));
    return s;
  };
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setFields({});
    const patch = Object.fromEntries(props.fields.filter((f) => draft[f.name] !== undefined).map((f) => [f.name, parse(f, draft[f.name]!)]));
    try {
      await props.save(patch);
      toast(t('common.saved'));
      setDraft(reconcile({}));
      await refetch();
    } catch (err) {
      // An error inside a record (rankByModel.gpt-4o) belongs to the record's field.
      formError(err, (errs) => setFields(Object.fromEntries(Object.entries(errs).map(([k, m]) => {
        const owner = props.fields.find((f) => k.startsWith(`${f.name}.`));
        return owner ? [owner.name, `${k.slice(owner.name.length + 1)}: ${m}`] : [k, m];
      }))));
    }
  };
  return (
    <form class="card" onSubmit={submit}>
      <div class="card-head"><h2>{t(props.title)}</h2></div>
      <ErrorNotice error={data.error} />
      <Show when={data()} fallback={<Show when={!data.error}><Loading /></Show>}>
        <div class="card-body form-grid">
          <For each={props.fields}>{(f) => f.kind === 'choice'
            ? (
              <SelectField label={t(f.label)} value={shown(f)} hint={f.hint ? t(f.hint) : undefined} error={fields()[f.name]} onChange={(e) => edit(f, e.currentTarget.value)}>
                <For each={f.options}>{(o) => <option value={o}>{optionName(o)}</option>}</For>
              </SelectField>
            )
            : (
              <TextField label={t(f.label)} value={shown(f)} inputMode={f.kind === 'int' || f.kind === 'number' ? 'decimal' : undefined}
                hint={f.describe && shown(f) ? <>{f.hint ? t(f.hint) : ''} <span data-testid={`${f.name}-described`}>{f.describe(shown(f))}</span></>
                  : f.codes ? <>{f.hint ? t(f.hint) : ''} {f.codes.map((c, i) => <>{i ? ' · ' : ''}<code>{c}</code></>)}</> : f.hint ? t(f.hint) : undefined}
                error={fields()[f.name]} onInput={(e) => edit(f, e.currentTarget.value)} />
            )}</For>
        </div>
        <div class="card-foot"><button class="btn primary" type="submit">{t('common.save')}</button></div>
      </Show>
    </form>
  );
}
