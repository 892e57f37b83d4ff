// The signed-in frame: sidebar navigation (off-canvas on phones), a top bar with balance,
// language, theme and the account, then the page.
import { A, useLocation } from '@solidjs/router';
import { createEffect, createSignal, For, type JSX, onCleanup, Show } from 'solid-js';
import { type MessageKey, locale, setLocale, t } from '../i18n/index.ts';
import { isAdmin, me, signOut } from '../session.ts';
import { money } from '../format.ts';
import { setTheme, themeChoice, type ThemeChoice } from '../theme/theme.ts';
import { Icon, type IconName } from './icons.tsx';

interface NavItem { href: string; label: MessageKey; icon: IconName; admin?: boolean }

const NAV: Array<{ section: MessageKey; items: NavItem[] }> = [
  { section: 'nav.monitor', items: [
    { href: '/', label: 'nav.dashboard', icon: 'dashboard' },
    { href: '/calls', label: 'nav.live', icon: 'live' },
    { href: '/history', label: 'nav.history', icon: 'history' },
  ] },
  { section: 'nav.manage', items: [
    { href: '/channels', label: 'nav.channels', icon: 'channels', admin: true },
    { href: '/keys', label: 'nav.keys', icon: 'keys' },
    { href: '/models', label: 'nav.models', icon: 'models' },
    { href: '/playground', label: 'nav.playground', icon: 'playground' },
    { href: '/billing', label: 'nav.billing', icon: 'billing' },
    { href: '/codes', label: 'nav.codes', icon: 'codes', admin: true },
    { href: '/prices', label: 'nav.prices', icon: 'prices', admin: true },
    { href: '/users', label: 'nav.users', icon: 'users', admin: true },
    { href: '/import', label: 'nav.import', icon: 'import', admin: true },
    { href: '/audit', label: 'nav.audit', icon: 'audit', admin: true },
    { href: '/settings', label: 'nav.settings', icon: 'settings' },
  ] },
];

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_ICON: Record<ThemeChoice, IconName> = { system: 'monitor', light: 'sun', dark: 'moon' };

const PHONE = '(max-width: 860px)';
const COLLAPSED_KEY = 'sb.navCollapsed';

export function Layout(props: { children?: JSX.Element }) {
  const [open, setOpen] = createSignal(false);
  // On a phone the menu button slides the sidebar in; on a desktop it hides or shows it.
  const media = window.matchMedia(PHONE);
  const [phone, setPhone] = createSignal(media.matches);
  const onMedia = (e: MediaQueryListEvent) => setPhone(e.matches);
  media.addEventListener('change', onMedia);
  onCleanup(() => media.removeEventListener('change', onMedia));
  const [collapsed, setCollapsed] = createSignal(localStorage.getItem(COLLAPSED_KEY) === '1');
  const toggle = () => {
    if (phone()) return setOpen(!open());
    const next = !collapsed();
    setCollapsed(next);
    localStorage.setItem(COLLAPSED_KEY, next ? '1' : '0');
  };
  const expanded = () => (phone() ? open() : !collapsed());
  const location = useLocation();
  createEffect(() => { location.pathname; setOpen(false); });

  return (
    <div class={`shell ${open() ? 'nav-open' : ''} ${collapsed() ? 'nav-collapsed' : ''}`}>
      <a class="skip-link" href="#main">{t('common.skipToContent')}</a>
      <nav class="sidebar" id="sidebar" aria-label={t('nav.label')}>
        <A href="/" class="brand"><img src="/favicon.svg" alt="" />Switchboard</A>
        <For each={NAV}>{(group) => (
          <>
            <div class="nav-section">{t(group.section)}</div>
            <div class="nav">
              <For each={group.items.filter((i) => !i.admin || isAdmin())}>{(item) => (
                <A href={item.href} end={item.href === '/'} activeClass="active"><Icon name={item.icon} />{t(item.label)}</A>
              )}</For>
            </div>
          </>
        )}</For>
      </nav>
      <div class="scrim" onClick={() => setOpen(false)} />
      <div class="main">
        <header class="topbar">
          <button class="btn ghost icon menu-button" aria-label={expanded() && !phone() ? t('nav.hideMenu') : t('nav.openMenu')} aria-expanded={expanded()} aria-controls="sidebar" onClick={toggle}>
            <Icon name="menu" />
          </button>
          <div class="spacer" />
          <Show when={me()?.balance !== null && me()?.balance !== undefined}>
            <span class="badge accent" data-testid="topbar-balance" title={t('billing.balance')}>{t('billing.balance')}: {money(me()!.balance)}</span>
          </Show>
          <button class="btn ghost" data-testid="language-toggle" aria-label={t('common.switchLanguage')} onClick={() => setLocale(locale() === 'en' ? 'zh-CN' : 'en')}>
            <Icon name="globe" />{locale() === 'en' ? '中文' : 'English'}
          </button>
          <button class="btn ghost icon" aria-label={t('common.theme', { theme: t(`theme.${themeChoice()}`) })} title={t('common.theme', { theme: t(`theme.${themeChoice()}`) })} onClick={() => setTheme(NEXT_THEME[themeChoice()])}>
            <Icon name={THEME_ICON[themeChoice()]} />
          </button>
          <span class="small" data-testid="whoami">{me()?.displayName || me()?.username} <span class="badge">{t(`roles.${me()?.role ?? 'user'}`)}</span></span>
          <button class="btn ghost icon" aria-label={t('auth.signOut')} title={t('auth.signOut')} onClick={() => void signOut()}>
            <Icon name="logout" />
          </button>
        </header>
        <main class="content" id="main" tabindex="-1">{props.children}</main>
      </div>
    </div>
  );
}

/** A page title with an optional description and actions on the right. */
export function PageHead(props: { title: string; description?: string; children?: JSX.Element }) {
  return (
    <div class="page-head">
      <div>
        <h1>{props.title}</h1>
        <Show when={props.description}><p>{props.description}</p></Show>
      </div>
      <div class="row">{props.children}</div>
    </div>
  );
}
