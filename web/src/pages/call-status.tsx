// A call's status as a badge: in flight, OK, client error or upstream/server error.
import type { LogRow } from '../api/live.ts';
import { t } from '../i18n/index.ts';

export function StatusBadge(props: { row: Pick<LogRow, 'status' | 'inflight'> }) {
  return (
    <>
      {props.row.inflight
        ? <span class="badge accent"><span class="spinner" aria-hidden="true" /> {t('live.inflight')}</span>
        : <span class={`badge ${props.row.status < 400 ? 'ok' : props.row.status < 500 ? 'warn' : 'err'}`}>{props.row.status}</span>}
    </>
  );
}
