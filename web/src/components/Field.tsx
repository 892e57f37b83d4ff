// Form fields that always carry a visible <label>, a hint and an error tied to the input.
import { createUniqueId, type JSX, Show, splitProps } from 'solid-js';

interface Common {
  label: string;
  hint?: JSX.Element;
  error?: string;
  class?: string;
}

function Wrap(props: Common & { id: string; children: JSX.Element }) {
  return (
    <div class={`field ${props.class ?? ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      <Show when={props.hint}><div class="hint" id={`${props.id}-hint`}>{props.hint}</div></Show>
      <Show when={props.error}><div class="error" id={`${props.id}-error`} role="alert">{props.error}</div></Show>
    </div>
  );
}

const described = (id: string, p: Common) =>
  [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

export function TextField(props: Common & Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'class'>) {
  const [own, rest] = splitProps(props, ['label', 'hint', 'error', 'class']);
  const id = props.id ?? createUniqueId();
  return (
    <Wrap {...own} id={id}>
      <input id={id} class="input" aria-invalid={own.error ? 'true' : undefined} aria-describedby={described(id, own)} {...rest} />
    </Wrap>
  );
}

export function TextArea(props: Common & Omit<JSX.TextareaHTMLAttributes<HTMLTextAreaElement>, 'class'>) {
  const [own, rest] = splitProps(props, ['label', 'hint', 'error', 'class']);
  const id = props.id ?? createUniqueId();
  return (
    <Wrap {...own} id={id}>
      <textarea id={id} class="input" aria-invalid={own.error ? 'true' : undefined} aria-describedby={described(id, own)} {...rest} />
    </Wrap>
  );
}

export function SelectField(props: Common & Omit<JSX.SelectHTMLAttributes<HTMLSelectElement>, 'class'> & { children: JSX.Element }) {
  const [own, rest] = splitProps(props, ['label', 'hint', 'error', 'class', 'children']);
  const id = props.id ?? createUniqueId();
  return (
    <Wrap {...own} id={id}>
      <select id={id} class="input" aria-invalid={own.error ? 'true' : undefined} aria-describedby={described(id, own)} {...rest}>
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
