// Routes and the sign-in gate: signed out shows the sign-in page whatever the URL; admin
// pages are only routed for admins (the server enforces it regardless).
import { Route, Router } from '@solidjs/router';
import { createEffect, type JSX, lazy, Match, Switch } from 'solid-js';
import { Layout } from './components/Layout.tsx';
import { ErrorNotice, Loading } from './components/States.tsx';
import { Toasts } from './components/Toasts.tsx';
import { locale, t } from './i18n/index.ts';
import { isAdmin, me } from './session.ts';
import { effectiveTheme } from './theme/theme.ts';
import SignIn from './pages/SignIn.tsx';

const Dashboard = lazy(() => import('./pages/Dashboard.tsx'));
const Live = lazy(() => import('./pages/Live.tsx'));
const History = lazy(() => import('./pages/History.tsx'));
const Channels = lazy(() => import('./pages/channels/Channels.tsx'));
const Keys = lazy(() => import('./pages/keys/Keys.tsx'));
const Billing = lazy(() => import('./pages/Billing.tsx'));
const Codes = lazy(() => import('./pages/Codes.tsx'));
const Prices = lazy(() => import('./pages/Prices.tsx'));
const Users = lazy(() => import('./pages/Users.tsx'));
const Import = lazy(() => import('./pages/Import.tsx'));
const Settings = lazy(() => import('./pages/Settings.tsx'));
const Models = lazy(() => import('./pages/Models.tsx'));
const Playground = lazy(() => import('./pages/Playground.tsx'));
const Audit = lazy(() => import('./pages/Audit.tsx'));

function Shell(props: { children?: JSX.Element }) {
  return (
    <Switch>
      <Match when={me.loading && me() === undefined}><Loading /></Match>
      <Match when={me.error}><div class="content"><ErrorNotice error={me.error} /></div></Match>
      <Match when={!me()}><SignIn /></Match>
      <Match when={me()}><Layout>{props.children}</Layout></Match>
    </Switch>
  );
}

function AdminOnly(props: { children: JSX.Element }) {
  return <Switch fallback={<ErrorNotice error={new Error(t('common.adminOnly'))} />}><Match when={isAdmin()}>{props.children}</Match></Switch>;
}

const admin = (Page: () => JSX.Element) => () => <AdminOnly><Page /></AdminOnly>;

export function App() {
  createEffect(() => { document.documentElement.lang = locale(); });
  createEffect(() => { document.documentElement.dataset.theme = effectiveTheme(); });
  createEffect(() => { document.title = `Switchboard · ${t('nav.console')}`; });
  return (
    <>
      <Router root={Shell}>
        <Route path="/" component={Dashboard} />
        <Route path="/calls" component={Live} />
        <Route path="/history" component={History} />
        <Route path="/channels" component={admin(Channels)} />
        <Route path="/keys" component={Keys} />
        <Route path="/billing" component={Billing} />
        <Route path="/codes" component={admin(Codes)} />
        <Route path="/prices" component={admin(Prices)} />
        <Route path="/users" component={admin(Users)} />
        <Route path="/import" component={admin(Import)} />
        <Route path="/settings" component={Settings} />
        <Route path="/models" component={Models} />
        <Route path="/playground" component={Playground} />
        <Route path="/audit" component={admin(Audit)} />
        <Route path="*" component={Dashboard} />
      </Router>
      <Toasts />
    </>
  );
}
