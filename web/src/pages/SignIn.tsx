// Sign in with a console account. The first-run hint says where the root password comes from.
import { createSignal, Show } from 'solid-js';
import { errorInfo } from '../api/errors.ts';
import { TextField } from '../components/Field.tsx';
import { Icon } from '../components/icons.tsx';
import { locale, setLocale, t } from '../i18n/index.ts';
import { signIn } from '../session.ts';

export default function SignIn() {
  const [username, setUsername] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(username().trim(), password());
    } catch (err) {
      setError(errorInfo(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <div class="card">
        <form class="card-body stack" onSubmit={submit}>
          <div class="brand"><img src="/favicon.svg" alt="" />Switchboard</div>
          <div>
            <h1>{t('auth.title')}</h1>
            <p class="muted small">{t('auth.subtitle')}</p>
          </div>
          <TextField label={t('auth.username')} name="username" autocomplete="username" required value={username()} onInput={(e) => setUsername(e.currentTarget.value)} />
          <TextField label={t('auth.password')} name="password" type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
          <Show when={error()}><div class="notice err" role="alert">{error()}</div></Show>
          <button class="btn primary" type="submit" disabled={busy()}>{busy() ? t('auth.signingIn') : t('auth.signIn')}</button>
          <details class="notice small">
            <summary>{t('auth.firstRun.title')}</summary>
            <p>{t('auth.firstRun.body')}</p>
            <pre class="code">{t('auth.firstRun.log')}</pre>
            <p>{t('auth.firstRun.env')}</p>
          </details>
          <div class="row end">
            <button type="button" class="btn ghost small" data-testid="language-toggle" aria-label={t('common.switchLanguage')} onClick={() => setLocale(locale() === 'en' ? 'zh-CN' : 'en')}>
              <Icon name="globe" />{locale() === 'en' ? '中文' : 'English'}
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}
