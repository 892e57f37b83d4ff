// Copy a value to the clipboard and say so (visibly and to screen readers).
import { createSignal } from 'solid-js';
import { t } from '../i18n/index.ts';
import { Icon } from './icons.tsx';

export function CopyButton(props: { value: string; label?: string; small?: boolean }) {
  const [copied, setCopied] = createSignal(false);
  const copy = async () => {
    await navigator.clipboard.writeText(props.value);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" class={`btn ${props.small ? 'small' : ''}`} onClick={copy} aria-live="polite">
      <Icon name={copied() ? 'check' : 'copy'} />
      {copied() ? t('common.copied') : (props.label ?? t('common.copy'))}
    </button>
  );
}

/** A read-only value with a copy button, e.g. a new key or the endpoint. */
export function SecretField(props: { label: string; value: string; copyLabel?: string }) {
  return (
    <div class="field">
      <span class="field-label">{props.label}</span>
      <div class="secret">
        <input class="input" readOnly value={props.value} aria-label={props.label} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton value={props.value} label={props.copyLabel} />
      </div>
    </div>
  );
}
