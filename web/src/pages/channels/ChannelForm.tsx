// Create or edit a channel: vendor preset (default base URL, key format, extra fields, its
// models), the key pool, models (presets, custom, fetched from the upstream), model mapping,
// groups, priority and weight.
import { createMemo, createSignal, For, Show } from 'solid-js';
import { createStore } from 'solid-js/store';
import { api } from '../../api/client.ts';
import { errorInfo, inlineFormError } from '../../api/errors.ts';
import { Drawer } from '../../components/Dialog.tsx';
import { SelectField, TextArea, TextField } from '../../components/Field.tsx';
import { Icon } from '../../components/icons.tsx';
import { toast } from '../../components/Toasts.tsx';
import { locale, t } from '../../i18n/index.ts';
import type { Channel, VendorPreset } from './types.ts';

interface Form {
  type: number;
  name: string;
  baseUrl: string;
  keys: string;
  models: string[];
  custom: string;
  mapping: Array<{ from: string; to: string }>;
  groups: string;
  priority: number;
  weight: number;
  config: Record<string, string>;
  removeKeyIds: number[];
}

const split = (s: string) => s.split(/[,\n]/).map((x) => x.trim()).filter(Boolean);

function initial(ch: Channel | null): Form {
  return {
    type: ch?.type ?? 1,
    name: ch?.name ?? '',
    baseUrl: ch?.baseUrl ?? '',
    keys: '',
    models: [...(ch?.models ?? [])],
    custom: '',
    mapping: Object.entries(ch?.mapping ?? {}).map(([from, to]) => ({ from, to })),
    groups: (ch?.groups ?? ['default']).join(', '),
    priority: ch?.priority ?? 0,
    weight: ch?.weight ?? 1,
    config: { ...(ch?.config ?? {}) },
    removeKeyIds: [],
  };
}

export function ChannelForm(props: { channel: Channel | null; open: boolean; catalog: VendorPreset[]; onClose: () => void; onSaved: () => void }) {
  const [f, setF] = createStore<Form>(initial(props.channel));
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [fetching, setFetching] = createSignal(false);
  const preset = createMemo(() => props.catalog.find((p) => p.type === f.type));
  const vendorName = (p: VendorPreset) => (locale() === 'zh-CN' ? p.name.zh : p.name.en);

  const toggleModel = (m: string) => setF('models', (list) => (list.includes(m) ? list.filter((x) => x !== m) : [...list, m]));
  const addCustom = () => {
    const extra = split(f.custom).filter((m) => !f.models.includes(m));
    setF('models', (list) => [...list, ...extra]);
    setF('custom', '');
  };

  const fetchModels = async () => {
    setFetching(true);
    try {
      const input = props.channel && !f.keys.trim()
        ? { id: props.channel.id }
        : { type: f.type, baseUrl: f.baseUrl, key: f.keys, config: f.config };
      const { models } = await api.channels.fetchModels.mutate(input);
      setF('models', (list) => [...new Set([...list, ...models])]);
      toast(t('channels.form.fetched', { n: models.length }));
    } catch (e) {
      setError(errorInfo(e).message);
    } finally {
      setFetching(false);
    }
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setFields({});
    const mapping = Object.fromEntries(f.mapping.filter((m) => m.from.trim() && m.to.trim()).map((m) => [m.from.trim(), m.to.trim()]));
    const common = {
      name: f.name, type: f.type, baseUrl: f.baseUrl, models: f.models, mapping,
      groups: split(f.groups), priority: Number(f.priority), weight: Number(f.weight), config: f.config,
    };
    try {
      if (props.channel) {
        await api.channels.update.mutate({ id: props.channel.id, ...common, addKeys: f.keys || undefined, removeKeyIds: f.removeKeyIds.length ? f.removeKeyIds : undefined });
      } else {
        await api.channels.create.mutate({ ...common, key: f.keys });
      }
      toast(t('common.saved'));
      props.onSaved();
    } catch (err) {
      inlineFormError(err, setFields, setError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Drawer open={props.open} onClose={props.onClose} title={props.channel ? t('channels.form.editTitle', { name: props.channel.name }) : t('channels.form.createTitle')}
      footer={<>
        <button class="btn" type="button" onClick={props.onClose}>{t('common.cancel')}</button>
        <button class="btn primary" type="submit" form="channel-form" disabled={busy()}>{busy() ? t('common.saving') : t('common.save')}</button>
      </>}>
      <form id="channel-form" class="stack" onSubmit={submit}>
        <div class="form-grid">
          <SelectField label={t('channels.form.vendor')} value={f.type} onChange={(e) => setF('type', Number(e.currentTarget.value))}
            hint={preset()?.keyFormat ? t('channels.form.keyFormat', { format: preset()!.keyFormat! }) : undefined}>
            <For each={props.catalog}>{(p) => <option value={p.type}>{vendorName(p)} · {p.type}</option>}</For>
          </SelectField>
          <TextField label={t('channels.form.name')} required value={f.name} error={fields().name} onInput={(e) => setF('name', e.currentTarget.value)} />
          <TextField class="wide" label={t('channels.form.baseUrl')} type="url" value={f.baseUrl} placeholder={preset()?.defaultBaseUrl || 'https://'}
            error={fields().baseUrl} hint={preset()?.defaultBaseUrl ? t('channels.form.baseUrlHint', { url: preset()!.defaultBaseUrl }) : t('channels.form.baseUrlRequired')}
            onInput={(e) => setF('baseUrl', e.currentTarget.value)} />
          <For each={preset()?.configFields ?? []}>{(cf) => (
            <TextField label={locale() === 'zh-CN' ? cf.label.zh : cf.label.en} required={cf.required} placeholder={cf.placeholder} value={f.config[cf.name] ?? ''}
              error={fields()[`config.${cf.name}`]} onInput={(e) => setF('config', cf.name, e.currentTarget.value)} />
          )}</For>
        </div>

        <Show when={props.channel?.keys.length}>
          <fieldset>
            <legend>{t('channels.form.currentKeys')}</legend>
            <div class="stack" style={{ gap: '6px' }}>
              <For each={props.channel!.keys}>{(k) => (
                <label class="check">
                  <input type="checkbox" checked={f.removeKeyIds.includes(k.id)} onChange={(e) => setF('removeKeyIds', (l) => (e.currentTarget.checked ? [...l, k.id] : l.filter((x) => x !== k.id)))} />
                  <span class="mono">{k.key_hint}</span>
                  <span class={`badge ${k.status === 1 ? 'ok' : 'warn'}`}>{t(`channels.status.${k.status === 1 ? 1 : 3}`)}</span>
                  <span class="muted small">{t('channels.form.removeKey')}</span>
                </label>
              )}</For>
            </div>
          </fieldset>
        </Show>
        <TextArea label={props.channel ? t('channels.form.addKeys') : t('channels.form.keys')} required={!props.channel && preset()?.keyFormat !== '(none)'} rows={4} value={f.keys} error={fields().key}
          placeholder={preset()?.keyFormat ?? 'sk-...'} hint={t('channels.form.keysHint')} onInput={(e) => setF('keys', e.currentTarget.value)} />

        <fieldset>
          <legend>{t('channels.form.models')}</legend>
          <div class="stack" style={{ gap: '10px' }}>
            <Show when={preset()?.models.length}>
              <div class="field-label small">{t('channels.form.presetModels')}</div>
              <div class="chips" role="group" aria-label={t('channels.form.presetModels')}>
                <For each={preset()!.models}>{(m) => <button type="button" class="chip" aria-pressed={f.models.includes(m)} onClick={() => toggleModel(m)}>{m}</button>}</For>
              </div>
            </Show>
            <div class="row" style={{ 'align-items': 'flex-end' }}>
              <TextField class="grow" label={t('channels.form.customModels')} value={f.custom} placeholder="my-model, another-model" onInput={(e) => setF('custom', e.currentTarget.value)}
                onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); addCustom(); } }} />
              <button type="button" class="btn" onClick={addCustom}><Icon name="plus" />{t('common.add')}</button>
              <button type="button" class="btn" onClick={fetchModels} disabled={fetching() || (!props.channel && !f.keys.trim() && preset()?.keyFormat !== '(none)')}>{fetching() ? <span class="spinner" /> : null}{t('channels.form.fetchModels')}</button>
            </div>
            <div class="field-label small">{t('channels.form.selected', { n: f.models.length })}</div>
            <div class="chips" data-testid="selected-models">
              <For each={f.models}>{(m) => <button type="button" class="chip" aria-label={t('channels.form.removeModel', { model: m })} onClick={() => toggleModel(m)}>{m} ×</button>}</For>
            </div>
            <Show when={fields().models}><div class="error" role="alert">{fields().models}</div></Show>
          </div>
        </fieldset>

        <fieldset>
          <legend>{t('channels.form.mapping')}</legend>
          <p class="muted small" style={{ margin: '0 0 8px' }}>{t('channels.form.mappingHint')}</p>
          <div class="stack" style={{ gap: '8px' }}>
            <For each={f.mapping}>{(m, i) => (
              <div class="row">
                <input class="input compact" style={{ flex: 1 }} aria-label={t('channels.form.mapFrom')} placeholder={t('channels.form.mapFrom')} value={m.from} onInput={(e) => setF('mapping', i(), 'from', e.currentTarget.value)} />
                <span aria-hidden="true">→</span>
                <input class="input compact" style={{ flex: 1 }} aria-label={t('channels.form.mapTo')} placeholder={t('channels.form.mapTo')} value={m.to} onInput={(e) => setF('mapping', i(), 'to', e.currentTarget.value)} />
                <button type="button" class="btn ghost icon" aria-label={t('common.remove')} onClick={() => setF('mapping', (l) => l.filter((_, j) => j !== i()))}><Icon name="close" /></button>
              </div>
            )}</For>
            <div><button type="button" class="btn small" onClick={() => setF('mapping', (l) => [...l, { from: '', to: '' }])}><Icon name="plus" />{t('channels.form.addMapping')}</button></div>
          </div>
        </fieldset>

        <div class="form-grid">
          <TextField label={t('channels.form.groups')} value={f.groups} hint={t('channels.form.groupsHint')} onInput={(e) => setF('groups', e.currentTarget.value)} />
          <TextField label={t('channels.priority')} type="number" step="1" value={f.priority} hint={t('channels.form.priorityHint')} onInput={(e) => setF('priority', Number(e.currentTarget.value))} />
          <TextField label={t('channels.weight')} type="number" min="0" step="1" value={f.weight} hint={t('channels.form.weightHint')} onInput={(e) => setF('weight', Number(e.currentTarget.value))} />
        </div>
        <Show when={error()}><div class="notice err" role="alert">{error()}</div></Show>
      </form>
    </Drawer>
  );
}
