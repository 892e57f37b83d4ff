// Modal dialogs and side drawers (Kobalte Dialog: focus trap, Escape, labelled by the title).
// Opened from state rather than a Dialog.Trigger, so focus goes back by hand to whatever
// opened it (the button) when it closes.
import { Dialog } from '@kobalte/core/dialog';
import type { JSX } from 'solid-js';
import { createEffect, on, Show } from 'solid-js';
import { t } from '../i18n/index.ts';
import { Icon } from './icons.tsx';

interface Props {
  open: boolean;
  onClose: () => void;
  title: string;
  children: JSX.Element;
  footer?: JSX.Element;
  wide?: boolean;
}

function Frame(props: Props & { drawer: boolean }) {
  let opener: HTMLElement | null = null;
  createEffect(on(() => props.open, (open) => {
    if (open) opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
  }));
  const restoreFocus = (e: Event) => {
    // A dialog unmounted together with its opener's row has nothing to go back to.
    if (opener?.isConnected) {
      e.preventDefault();
      opener.focus();
    }
    opener = null;
  };
  return (
    <Dialog open={props.open} onOpenChange={(o) => { if (!o) props.onClose(); }}>
      <Dialog.Portal>
        <Dialog.Overlay class="overlay" />
        <div class={props.drawer ? 'drawer-positioner' : 'dialog-positioner'}>
          <Dialog.Content class={props.drawer ? 'drawer' : `dialog ${props.wide ? 'wide' : ''}`} onCloseAutoFocus={restoreFocus}>
            <div class="dialog-head">
              <Dialog.Title as="h2">{props.title}</Dialog.Title>
              <Dialog.CloseButton class="btn ghost icon" aria-label={t('common.close')}>
                <Icon name="close" />
              </Dialog.CloseButton>
            </div>
            <div class="dialog-body">{props.children}</div>
            <Show when={props.footer}><div class="dialog-foot">{props.footer}</div></Show>
          </Dialog.Content>
        </div>
      </Dialog.Portal>
    </Dialog>
  );
}

export const Modal = (props: Props) => <Frame {...props} drawer={false} />;
export const Drawer = (props: Props) => <Frame {...props} drawer />;
