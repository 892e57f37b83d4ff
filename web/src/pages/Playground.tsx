// Playground: chat with any model this account may call, streamed through the gateway's own
// relay (POST /api/playground/chat/completions with one of the user's keys, server/admin/playground.ts),
// so the call is limited, routed, billed and logged like any other; its cost is shown after.
import { useSearchParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, For, Show } from 'solid-js';
import { api } from '../api/client.ts';
import { Checkbox, SelectField, TextArea } from '../components/Field.tsx';
import { PageHead } from '../components/Layout.tsx';
import { ErrorNotice } from '../components/States.tsx';
import { duration, money, num } from '../format.ts';
import { t } from '../i18n/index.ts';
import { refetchMe } from '../session.ts';

interface Message { role: 'user' | 'assistant' | 'system'; content: string }
interface Outcome { requestId: string | null; ms: number; cost?: bigint; prompt?: number; completion?: number }

/** Read an OpenAI chat completion stream (SSE): content deltas as they arrive. */
async function readStream(res: Response, onDelta: (text: string) => void): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split('\n')) {
        if (!line.startsWith('data:')) continue;
        const data = line.slice(5).trim();
        if (data === '[DONE]') return;
        const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }>; error?: { message?: string } };
        if (chunk.error) throw new Error(chunk.error.message ?? 'stream error');
        const text = chunk.choices?.[0]?.delta?.content;
        if (text) onDelta(text);
      }
    }
  }
}

export default function Playground() {
  const [params] = useSearchParams();
  const [keys] = createResource(() => api.keys.list.query({}));
  const [models] = createResource(() => api.prices.available.query());
  const usable = () => (keys() ?? []).filter((k) => k.status === 1);
  const [keyId, setKeyId] = createSignal('');
  const [model, setModel] = createSignal(typeof params.model === 'string' ? params.model : '');
  const [system, setSystem] = createSignal('');
  const [input, setInput] = createSignal('');
  const [stream, setStream] = createSignal(true);
  const [messages, setMessages] = createSignal<Message[]>([]);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const [outcome, setOutcome] = createSignal<Outcome | null>(null);
  let abort: AbortController | null = null;

  createEffect(() => { if (!keyId() && usable().length) setKeyId(String(usable()[0]!.id)); });
  createEffect(() => { if (!model() && models()?.models.length) setModel(models()!.models[0]!.model); });

  /** The call's cost and tokens from the call log, once the writer has committed it. */
  const settle = async (requestId: string, ms: number) => {
    for (let i = 0; i < 20; i++) {
      const page = await api.logs.list.query({ requestId, limit: 1 }).catch(() => null);
      const row = page?.rows[0];
      if (row) {
        setOutcome({ requestId, ms, cost: row.cost, prompt: row.prompt_tokens, completion: row.completion_tokens });
        void refetchMe();
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const send = async (e: SubmitEvent) => {
    e.preventDefault();
    const text = input().trim();
    if (!text || busy()) return;
    setError('');
    setOutcome(null);
    const history: Message[] = [...messages(), { role: 'user', content: text }];
    setMessages([...history, { role: 'assistant', content: '' }]);
    setInput('');
    setBusy(true);
    abort = new AbortController();
    const t0 = performance.now();
    const append = (delta: string) => setMessages((l) => [...l.slice(0, -1), { role: 'assistant', content: l.at(-1)!.content + delta }]);
    try {
      const res = await fetch('/api/playground/chat/completions', {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', 'x-switchboard-key-id': keyId() },
        body: JSON.stringify({
          model: model(), stream: stream(), ...(stream() ? { stream_options: { include_usage: true } } : {}),
          messages: [...(system().trim() ? [{ role: 'system', content: system().trim() }] : []), ...history],
        }),
      });
      const requestId = res.headers.get('x-request-id');
      if (!res.ok) {
        const body = await res.json().catch(() => null) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
      }
      if (stream()) await readStream(res, append);
      else append(((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content ?? '');
      const ms = performance.now() - t0;
      setOutcome({ requestId, ms });
      if (requestId) void settle(requestId, ms);
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError((err as Error).message);
      setMessages((l) => (l.at(-1)?.content ? l : l.slice(0, -1)));
    } finally {
      setBusy(false);
      abort = null;
    }
  };

  return (
    <>
      <PageHead title={t('playground.title')} description={t('playground.description')}>
        <button class="btn" disabled={busy() || !messages().length} onClick={() => { setMessages([]); setOutcome(null); }}>{t('playground.clear')}</button>
      </PageHead>
      <ErrorNotice error={keys.error ?? models.error} />
      <div class="grid playground">
        <div class="card card-body stack">
          <SelectField label={t('playground.key')} value={keyId()} hint={t('playground.keyHint')} onChange={(e) => setKeyId(e.currentTarget.value)}>
            <For each={usable()} fallback={<option value="">{t('playground.noKeys')}</option>}>{(k) => <option value={k.id}>{k.name} (#{k.id})</option>}</For>
          </SelectField>
          <SelectField label={t('logs.model')} value={model()} onChange={(e) => setModel(e.currentTarget.value)}>
            <For each={models()?.models ?? []}>{(m) => <option value={m.model}>{m.model}</option>}</For>
          </SelectField>
          <TextArea label={t('playground.system')} rows={3} value={system()} onInput={(e) => setSystem(e.currentTarget.value)} />
          <Checkbox label={t('playground.stream')} checked={stream()} onChange={setStream} />
        </div>
        <div class="card card-body stack">
          <div class="chat" data-testid="chat" aria-live="polite">
            <For each={messages()} fallback={<p class="muted">{t('playground.empty')}</p>}>{(m) => (
              <div class={`bubble ${m.role}`} data-role={m.role}><div class="small muted">{t(`playground.roles.${m.role}`)}</div><div class="pre">{m.content || '…'}</div></div>
            )}</For>
          </div>
          <Show when={outcome()}>
            <p class="small muted" data-testid="chat-outcome">
              {duration(outcome()!.ms)}
              <Show when={outcome()!.cost !== undefined}> · {t('playground.cost', { cost: money(outcome()!.cost), prompt: num(outcome()!.prompt), completion: num(outcome()!.completion) })}</Show>
            </p>
          </Show>
          <Show when={error()}><div class="notice err" role="alert" data-testid="chat-error">{error()}</div></Show>
          <form class="stack" onSubmit={send}>
            <TextArea label={t('playground.message')} rows={3} value={input()} onInput={(e) => setInput(e.currentTarget.value)}
              onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit(); }} />
            <div class="row end">
              <Show when={busy()}><button class="btn" type="button" onClick={() => abort?.abort()}>{t('playground.stop')}</button></Show>
              <button class="btn primary" type="submit" disabled={busy() || !input().trim() || !keyId() || !model()}>{busy() ? t('playground.sending') : t('playground.send')}</button>
            </div>
          </form>
        </div>
      </div>
    </>
  );
}
