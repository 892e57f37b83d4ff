// Groups and their price multipliers (1 = list price, 0.8 = 20% off). Used on the prices
// page and on users & groups.
import { createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../api/client.ts';
import { errorInfo } from '../api/errors.ts';
import { t } from '../i18n/index.ts';
import { ErrorNotice } from './States.tsx';
import { toast } from './Toasts.tsx';

/** ppm → "0.8"; exact decimal text, no float rounding surprises. */
const ppmToText = (ppm: number) => (ppm / 1_000_000).toString();

export function GroupsEditor() {
  const [groups, { refetch }] = createResource(() => api.prices.groups.list.query());
  const [name, setName] = createSignal('');
  const [mult, setMult] = createSignal('1');
  const [error, setError] = createSignal('');

  const save = async (g: { name: string; multiplier: string; description: string }) => {
    setError('');
    try {
      await api.prices.groups.set.mutate(g);
      toast(t('common.saved'));
      await refetch();
      return true;
    } catch (e) {
      setError(errorInfo(e).message);
      return false;
    }
  };

  return (
    <div class="card">
      <div class="card-head"><h2>{t('groups.title')}</h2><span class="muted small">{t('groups.hint')}</span></div>
      <ErrorNotice error={groups.error} />
      <Show when={groups()}>
        <div class="table-wrap">
          <table class="table">
            <thead><tr><th scope="col">{t('groups.name')}</th><th scope="col">{t('groups.multiplier')}</th><th scope="col">{t('groups.description')}</th><th scope="col"><span class="sr-only">{t('common.actions')}</span></th></tr></thead>
            <tbody>
              <For each={groups()}>{(g) => {
                let m!: HTMLInputElement;
                let d!: HTMLInputElement;
                return (
                  <tr>
                    <td class="mono">{g.name}</td>
                    <td><input ref={m} class="input compact" inputMode="decimal" style={{ width: '90px' }} aria-label={t('groups.multiplierFor', { name: g.name })} value={ppmToText(g.multiplier_ppm)} /></td>
                    <td><input ref={d} class="input compact" style={{ width: '100%' }} aria-label={t('groups.descriptionFor', { name: g.name })} value={g.description} /></td>
                    <td><button class="btn small" onClick={() => void save({ name: g.name, multiplier: m.value.trim(), description: d.value })}>{t('common.save')}</button></td>
                  </tr>
                );
              }}</For>
            </tbody>
          </table>
        </div>
      </Show>
      <form class="card-body row" style={{ 'align-items': 'flex-end' }} onSubmit={(e) => { e.preventDefault(); void save({ name: name().trim(), multiplier: mult().trim(), description: '' }).then((ok) => { if (ok) setName(''); }); }}>
        <div class="field"><label for="new-group">{t('groups.newName')}</label><input id="new-group" class="input" value={name()} onInput={(e) => setName(e.currentTarget.value)} /></div>
        <div class="field"><label for="new-group-mult">{t('groups.multiplier')}</label><input id="new-group-mult" class="input" inputMode="decimal" value={mult()} onInput={(e) => setMult(e.currentTarget.value)} /></div>
        <button class="btn" type="submit" disabled={!name().trim()}>{t('groups.add')}</button>
      </form>
      <Show when={error()}><div class="card-body"><div class="notice err" role="alert">{error()}</div></div></Show>
    </div>
  );
}
