// What the live and history call tables share: the names behind a call's key, user and
// channel ids, the status filter's choices, the table's header row, and opening a row from
// the keyboard.
import { createResource, type JSX, Show } from 'solid-js';
import { api } from '../api/client.ts';
import { t } from '../i18n/index.ts';
import { isAdmin, me } from '../session.ts';

/** Keys, channels and users (the last two for admins only) and the names a call's ids show as. */
export function useCallLookups() {
  const [keys] = createResource(() => api.keys.list.query({}).catch(() => []));
  const [channels] = createResource(async () => (isAdmin() ? await api.channels.list.query().catch(() => []) : []));
  const [users] = createResource(async () => (isAdmin() ? await api.users.list.query({}).catch(() => []) : []));
  const userName = (id: number | null) =>
    id === null ? '—' : id === me()?.userId ? me()!.username : (users() ?? []).find((u) => u.id === id)?.username ?? `#${id}`;
  const keyName = (id: number | null) => (id === null ? '—' : (keys() ?? []).find((k: { id: number }) => k.id === id)?.name ?? `#${id}`);
  const channelName = (id: number | null) => (id === null ? '—' : (channels() ?? []).find((c) => c.id === id)?.name ?? `#${id}`);
  return { keys, channels, users, userName, keyName, channelName };
}

/** The choices of the status filter: all, OK, 4xx, 5xx, failed. */
export function CallStatusOptions() {
  return (
    <>
      <option value="">{t('common.all')}</option>
      <option value="ok">{t('logs.statusOk')}</option>
      <option value="4xx">4xx</option>
      <option value="5xx">5xx</option>
      <option value="error">{t('logs.statusError')}</option>
    </>
  );
}

/** The header row of a call table; the first column is labelled `timeLabel`. */
export function CallTableHead(props: { timeLabel: string }) {
  return (
    <thead>
      <tr>
        <th scope="col">{props.timeLabel}</th>
        <th scope="col">{t('logs.status')}</th>
        <th scope="col">{t('logs.model')}</th>
        <th scope="col">{t('logs.key')}</th>
        <Show when={isAdmin()}><th scope="col">{t('logs.user')}</th><th scope="col">{t('logs.channel')}</th></Show>
        <th scope="col" class="num">{t('logs.tokens')}</th>
        <th scope="col" class="num">{t('logs.cost')}</th>
        <th scope="col" class="num">{t('logs.latency')}</th>
      </tr>
    </thead>
  );
}

/** A clickable row's keyboard handler: Enter or Space does what a click does. */
export function onActivateKey(activate: () => void): JSX.EventHandler<HTMLElement, KeyboardEvent> {
  return (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      activate();
    }
  };
}
