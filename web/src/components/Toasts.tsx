// Short confirmations ("Saved") and failures, announced politely.
import { createSignal, For } from 'solid-js';
import { errorInfo } from '../api/errors.ts';
import { t } from '../i18n/index.ts';

interface Toast { id: number; text: string; error: boolean }
const [toasts, setToasts] = createSignal<Toast[]>([]);
let next = 1;

export function toast(text: string, error = false): void {
  const id = next++;
  setToasts((l) => [...l, { id, text, error }]);
  setTimeout(() => setToasts((l) => l.filter((x) => x.id !== id)), error ? 6000 : 2500);
}

export function toastError(e: unknown): void {
  toast(errorInfo(e).message, true);
}

/**
 * A list page's action runner: run the change, say `message` (or show its error), then
 * reload the list either way.
 */
export function actionThenReload(reload: () => unknown) {
  return async (fn: () => Promise<unknown>, message = t('common.saved')): Promise<void> => {
    try {
      await fn();
      toast(message);
    } catch (e) {
      toastError(e);
    }
    await reload();
  };
}

/** A failed form submit: field messages go next to their fields, anything else to a toast. */
export function formError(e: unknown, setFields: (fields: Record<string, string>) => void): void {
  const info = errorInfo(e);
  setFields(info.fields);
  if (!Object.keys(info.fields).length) toastError(e);
}

export function Toasts() {
  return (
    <div class="toasts" role="status" aria-live="polite">
      <For each={toasts()}>{(x) => <div class={`toast ${x.error ? 'err' : ''}`}>{x.text}</div>}</For>
    </div>
  );
}
