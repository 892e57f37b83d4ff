// Loading, empty and error states shared by every page.
import { type JSX, Show } from 'solid-js';
import { errorInfo, isMissingProcedure } from '../api/errors.ts';
import { t } from '../i18n/index.ts';

export function Loading(props: { label?: string }) {
  return <div class="empty" role="status"><span class="spinner" /> {props.label ?? t('common.loading')}</div>;
}

export function Empty(props: { children: JSX.Element }) {
  return <div class="empty">{props.children}</div>;
}

export function ErrorNotice(props: { error: unknown }) {
  return (
    <Show when={props.error}>
      <div class={`notice ${isMissingProcedure(props.error) ? 'warn' : 'err'}`} role="alert">
        {isMissingProcedure(props.error) ? t('common.notAvailable') : errorInfo(props.error).message}
      </div>
    </Show>
  );
}
