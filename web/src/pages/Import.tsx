// Import from One API: paste a DSN, dry-run to preview every change and every skip with its
// reason, then import with live progress and read the report.
import { createMemo, createSignal, For, onCleanup, Show } from 'solid-js';
import type { ImportReport, TableName } from '../../../server/importer/report.ts';
import { api } from '../api/client.ts';
import { errorInfo } from '../api/errors.ts';
import { subscribeLive } from '../api/live.ts';
import { TextField } from '../components/Field.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty } from '../components/States.tsx';
import { num } from '../format.ts';
import { t } from '../i18n/index.ts';

const EXAMPLES = [
  'mysql://oneapi:password@127.0.0.1:3306/oneapi',
  'mysql://oneapi:password@tcp(127.0.0.1:3306)/oneapi',
  'postgres://oneapi:password@127.0.0.1:5432/oneapi',
  'sqlite:///data/one-api.db',
];

export default function Import() {
  const [dsn, setDsn] = createSignal('');
  const [logsDays, setLogsDays] = createSignal('0');
  const [busy, setBusy] = createSignal<'dry' | 'real' | null>(null);
  const [error, setError] = createSignal('');
  const [report, setReport] = createSignal<ImportReport | null>(null);
  const [progress, setProgress] = createSignal<{ phase: string; done: number; total: number } | null>(null);
  const [tableFilter, setTableFilter] = createSignal<TableName | ''>('');

  const stop = subscribeLive((e) => { if (e.type === 'import.progress' && busy()) setProgress(e); }, () => {});
  onCleanup(stop);

  const run = async (dryRun: boolean) => {
    if (!dryRun && !confirm(t('import.confirm'))) return;
    setBusy(dryRun ? 'dry' : 'real');
    setError('');
    setProgress(null);
    try {
      setReport(await api.import.oneapi.mutate({ dsn: dsn().trim(), dryRun, logsDays: Number(logsDays()) || 0 }));
    } catch (e) {
      setError(errorInfo(e).message);
    } finally {
      setBusy(null);
    }
  };

  const counts = createMemo(() => Object.entries(report()?.counts ?? {}) as Array<[TableName, { created: number; updated: number; unchanged: number; skipped: number }]>);
  const preview = () => (report()?.preview ?? []).filter((p) => !tableFilter() || p.table === tableFilter()).slice(0, 500);

  return (
    <>
      <PageHead title={t('import.title')} description={t('import.description')} />
      <div class="stack">
        <form class="card card-body stack" onSubmit={(e) => { e.preventDefault(); void run(true); }}>
          <TextField label={t('import.dsn')} required value={dsn()} placeholder={EXAMPLES[0]} autocomplete="off" spellcheck={false}
            hint={t('import.dsnHint')} onInput={(e) => setDsn(e.currentTarget.value)} />
          <div class="stack" style={{ gap: '6px' }}>
            <span class="small muted">{t('import.examples')}</span>
            <div class="chips">
              <For each={EXAMPLES}>{(x) => <button type="button" class="chip" onClick={() => setDsn(x)}>{x}</button>}</For>
            </div>
          </div>
          <div class="form-grid">
            <TextField label={t('import.logsDays')} type="number" min="0" max="3650" value={logsDays()} hint={t('import.logsDaysHint')} onInput={(e) => setLogsDays(e.currentTarget.value)} />
          </div>
          <div class="row">
            <button class="btn" type="submit" disabled={!dsn().trim() || busy() !== null}>{busy() === 'dry' ? t('import.dryRunning') : t('import.dryRun')}</button>
            <button class="btn primary" type="button" disabled={!report()?.dryRun || busy() !== null} onClick={() => void run(false)}>{busy() === 'real' ? t('import.importing') : t('import.run')}</button>
            <span class="muted small">{t('import.flow')}</span>
          </div>
          <Show when={busy()}>
            <div class="stack" style={{ gap: '6px' }} aria-live="polite">
              <span class="small">{progress() ? t('import.progress', { phase: progress()!.phase, done: num(progress()!.done), total: num(progress()!.total) }) : t('import.starting')}</span>
              <div class="progress" role="progressbar" aria-label={t('import.progressLabel')} aria-valuemin={0} aria-valuemax={progress()?.total ?? 100} aria-valuenow={progress()?.done ?? 0}>
                <div style={{ width: `${progress() && progress()!.total ? (progress()!.done / progress()!.total) * 100 : 5}%` }} />
              </div>
            </div>
          </Show>
          <Show when={error()}><div class="notice err" role="alert">{error()}</div></Show>
        </form>

        <Show when={report()}>
          {(r) => (
            <>
              <div class={`notice ${r().dryRun ? '' : 'ok'}`} role="status">
                <strong>{r().dryRun ? t('import.dryRunDone') : t('import.done')}</strong> {t('import.source', { source: r().source })}
              </div>
              <div class="card">
                <div class="card-head"><h2>{t('import.counts')}</h2></div>
                <div class="table-wrap">
                  <table class="table" data-testid="import-counts">
                    <thead><tr><th scope="col">{t('import.table')}</th><th scope="col" class="num">{t('import.created')}</th><th scope="col" class="num">{t('import.updated')}</th><th scope="col" class="num">{t('import.unchanged')}</th><th scope="col" class="num">{t('import.skipped')}</th></tr></thead>
                    <tbody>
                      <For each={counts()}>{([table, c]) => (
                        <tr><td class="mono">{table}</td><td class="num">{num(c.created)}</td><td class="num">{num(c.updated)}</td><td class="num">{num(c.unchanged)}</td><td class="num">{num(c.skipped)}</td></tr>
                      )}</For>
                    </tbody>
                  </table>
                </div>
              </div>
              <Show when={r().notes.length}>
                <div class="card card-body"><h2>{t('import.notes')}</h2><ul><For each={r().notes}>{(n) => <li>{n}</li>}</For></ul></div>
              </Show>
              <div class="card">
                <div class="card-head">
                  <h2>{t('import.preview')}</h2>
                  <div class="field"><label class="sr-only" for="preview-table">{t('import.table')}</label>
                    <select id="preview-table" class="input" value={tableFilter()} onChange={(e) => setTableFilter(e.currentTarget.value as TableName | '')}>
                      <option value="">{t('common.all')}</option>
                      <For each={counts()}>{([table]) => <option value={table}>{table}</option>}</For>
                    </select>
                  </div>
                </div>
                <Show when={preview().length} fallback={<Empty>{t('import.nothing')}</Empty>}>
                  <div class="table-wrap">
                    <table class="table">
                      <thead><tr><th scope="col">{t('import.table')}</th><th scope="col">{t('import.action')}</th><th scope="col">{t('import.item')}</th><th scope="col">{t('import.details')}</th></tr></thead>
                      <tbody>
                        <For each={preview()}>{(p) => (
                          <tr>
                            <td class="mono">{p.table}</td>
                            <td><span class={`badge ${p.action === 'create' ? 'ok' : p.action === 'skip' ? 'warn' : 'accent'}`}>{t(`import.actions.${p.action}`)}</span></td>
                            <td>{p.label}<Show when={p.oneapiId !== null}> <span class="muted small">#{p.oneapiId}</span></Show></td>
                            <td class="small">
                              {p.reason ?? p.changes?.join(', ') ?? ''}
                              <For each={p.values ?? []}>{(v) => <div class="mono">{v.field}: {v.old ?? '—'} → {v.new}</div>}</For>
                              <Show when={p.basis}><div class="muted">{p.basis}</div></Show>
                            </td>
                          </tr>
                        )}</For>
                      </tbody>
                    </table>
                  </div>
                </Show>
              </div>
            </>
          )}
        </Show>
      </div>
    </>
  );
}
