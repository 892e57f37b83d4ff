// A new (or rolled) key, shown once: the key and the endpoint with copy buttons, and
// snippets for curl, Python and JavaScript.
import { Tabs } from '@kobalte/core/tabs';
import { For } from 'solid-js';
import { CopyButton, SecretField } from '../../components/CopyButton.tsx';
import { Modal } from '../../components/Dialog.tsx';
import { t } from '../../i18n/index.ts';
import { snippets } from './snippets.ts';

export function KeyReveal(props: { secret: { key: string; model: string } | null; onClose: () => void }) {
  const endpoint = () => `${location.origin}/v1`;
  return (
    <Modal open={props.secret !== null} onClose={props.onClose} wide title={t('keys.reveal.title')}
      footer={<button class="btn primary" onClick={props.onClose}>{t('keys.reveal.done')}</button>}>
      <div class="notice warn" role="note">{t('keys.reveal.once')}</div>
      <div data-testid="new-key"><SecretField label={t('keys.reveal.key')} value={props.secret?.key ?? ''} copyLabel={t('keys.reveal.copyKey')} /></div>
      <SecretField label={t('keys.reveal.endpoint')} value={endpoint()} copyLabel={t('keys.reveal.copyEndpoint')} />
      <Tabs class="tabs" defaultValue="curl">
        <Tabs.List class="tabs__list" aria-label={t('keys.reveal.snippets')}>
          <For each={snippets(endpoint(), props.secret?.key ?? '', props.secret?.model ?? '')}>{(s) => <Tabs.Trigger class="tabs__trigger" value={s.id}>{s.title}</Tabs.Trigger>}</For>
        </Tabs.List>
        <For each={snippets(endpoint(), props.secret?.key ?? '', props.secret?.model ?? '')}>{(s) => (
          <Tabs.Content class="tabs__content" value={s.id}>
            <div class="stack" style={{ gap: '8px' }}>
              <pre class="code" tabindex="0"><code>{s.code}</code></pre>
              <div><CopyButton value={s.code} small label={t('keys.reveal.copySnippet')} /></div>
            </div>
          </Tabs.Content>
        )}</For>
      </Tabs>
    </Modal>
  );
}
