// An on/off switch (Kobalte: a real checkbox underneath, so it is labelled and keyboard-operable).
import { Switch } from '@kobalte/core/switch';

export function Toggle(props: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean; hideLabel?: boolean }) {
  return (
    <Switch class="switch" checked={props.checked} onChange={props.onChange} disabled={props.disabled}>
      <Switch.Input class="switch__input sr-only" />
      <Switch.Control class="switch__control">
        <Switch.Thumb class="switch__thumb" />
      </Switch.Control>
      <Switch.Label class={props.hideLabel ? 'sr-only' : ''}>{props.label}</Switch.Label>
    </Switch>
  );
}
