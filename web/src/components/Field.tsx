// Form fields that always carry a visible <label>, a hint and an error tied to the input. An
// error is hidden as soon as the field is edited (it described the old value) and shown again
// when a new one arrives.
import { createEffect, createSignal, createUniqueId, type JSX, on, Show, splitProps } from 'solid-js';

interface Common {
  label: string;
  hint?: JSX.Element;
  error?: string;
  class?: string;
}

/** The error to show: the given one until the field is edited. */
function useFreshError(props: { error?: string }): { error: () => string | undefined; edited: () => void } {
  const [stale, setStale] = createSignal(false);
  createEffect(on(() => props.error, () => setStale(false), { defer: true }));
  return { error: () => (stale() ? undefined : props.error), edited: () => { if (props.error) setStale(true); } };
}

function Wrap(props: Common & { id: string; children: JSX.Element; edited: () => void }) {
  return (
    // Capture phase: the edit marks the current error stale before the field's own handler runs,
    // so an error that handler computes for the new value still shows.
    <div class={`field ${props.class ?? ''}`} ref={(el) => { el.addEventListener('input', props.edited, true); el.addEventListener('change', props.edited, true); }}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      <Show when={props.hint}><div class="hint" id={`${props.id}-hint`}>{props.hint}</div></Show>
      <Show when={props.error}><div class="error" id={`${props.id}-error`} role="alert">{props.error}</div></Show>
    </div>
  );
}

const described = (id: string, p: { hint?: JSX.Element; error?: string }) =>
  [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

export function TextField(props: Common & Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'class'>) {
  const [own, rest] = splitProps(props, ['label', 'hint', 'error', 'class']);
  const id = props.id ?? createUniqueId();
  const fresh = useFreshError(own);
  return (
    <Wrap label={own.label} hint={own.hint} class={own.class} error={fresh.error()} edited={fresh.edited} id={id}>
      <input id={id} class="input" aria-invalid={fresh.error() ? 'true' : undefined} aria-describedby={described(id, { hint: own.hint, error: fresh.error() })} {...rest} />
    </Wrap>
  );
}

export function TextArea(props: Common & Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, 'class'>) {
  const [own, rest] = splitProps(props, ['label', 'hint', 'error', 'class']);
  const id = props.id ?? createUniqueId();
  const fresh = useFreshError(own);
  return (
    <Wrap label={own.label} hint={own.hint} class={own.class} error={fresh.error()} edited={fresh.edited} id={id}>
      <textarea id={id} class="input" aria-invalid={fresh.error() ? 'true' : undefined} aria-describedby={described(id, { hint: own.hint, error: fresh.error() })} {...rest} />
    </Wrap>
  );
}

export function SelectField(props: Common & Omit<JSX.SelectHTMLAttributes<HTMLSelectElement>, 'class'> & { children: JSX.Element }) {
  const [own, rest] = splitProps(props, ['label', 'hint', 'error', 'class', 'children']);
  const id = props.id ?? createUniqueId();
  const fresh = useFreshError(own);
  return (
    <Wrap label={own.label} hint={own.hint} class={own.class} error={fresh.error()} edited={fresh.edited} id={id}>
      <select id={id} class="input" aria-invalid={fresh.error() ? 'true' : undefined} aria-describedby={described(id, { hint: own.hint, error: fresh.error() })} {...rest}>
        {own.children}
      </select>
    </Wrap>
  );
}

export function Checkbox(props: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  return (
    <label class="check">
      <input type="checkbox" checked={props.checked} disabled={props.disabled} onChange={(e) => props.onChange(e.currentTarget.checked)} />
      <span>{props.label}</span>
    </label>
  );
}
