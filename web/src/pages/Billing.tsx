// Billing: the balance (live), spend by day and by model over a chosen range, the ledger,
// redeeming a code; admins also see the margin (billing-margin.tsx) and top up accounts.
import { createEffect, createMemo, createResource, createSignal, For, on, Show } from 'solid-js';
import { A } from '@solidjs/router';
import { api } from '../api/client.ts';
import { errorInfo } from '../api/errors.ts';
import { Chart } from '../components/Chart.tsx';
import { SelectField, TextField } from '../components/Field.tsx';
import { PageHead } from '../components/Layout.tsx';
import { Empty, ErrorNotice } from '../components/States.tsx';
import { formError, toast, toastError } from '../components/Toasts.tsx';
import { compact, dateTime, ledgerNote, isoDay, money, moneyShort, num, usdAxis, usdNumber } from '../format.ts';
import { t } from '../i18n/index.ts';
import { isAdmin, me, refetchMe } from '../session.ts';
import { MarginView } from './billing-margin.tsx';

const DAY = 86_400_000;
const LEDGER_PAGE = 50;
type LedgerRow = Awaited<ReturnType<typeof api.billing.ledger.query>>[number];

export default function Billing() {
  const [from, setFrom] = createSignal(isoDay(new Date(Date.now() - 29 * DAY)));
  const [to, setTo] = createSignal(isoDay(new Date()));
  const [userId, setUserId] = createSignal<number | undefined>(undefined);
  const [users] = createResource(async () => (isAdmin() ? await api.users.list.query({}) : []));
  const range = createMemo(() => {
    const start = new Date(`${from()}T00:00:00`);
    const end = new Date(new Date(`${to()}T00:00:00`).getTime() + DAY);
    return { from: start, to: end > start ? end : new Date(start.getTime() + DAY), userId: userId() };
  });
  // Bills are computed in the billing timezone from the call log (billing.bills).
  const [byDay] = createResource(range, (r) => api.billing.bills.query({ ...r, by: 'day' }));
  const [byModel] = createResource(range, (r) => api.billing.bills.query({ ...r, by: 'model' }));
  // The ledger pages back by id (keyset): the first page follows the range, older ones append.
  const [ledgerFirst, { refetch: refetchLedger }] = createResource(range, (r) => api.billing.ledger.query({ ...r, limit: LEDGER_PAGE }));
  const [older, setOlder] = createSignal<LedgerRow[]>([]);
  const [olderDone, setOlderDone] = createSignal(false);
  const [loadingOlder, setLoadingOlder] = createSignal(false);
  createEffect(on(ledgerFirst, () => { setOlder([]); setOlderDone(false); }));
  const ledger = () => (ledgerFirst() ? [...ledgerFirst()!, ...older()] : undefined);
  const ledgerHasMore = () => !olderDone() && (ledgerFirst()?.length ?? 0) === LEDGER_PAGE;
  const loadOlder = async () => {
    const last = ledger()?.at(-1);
    if (!last) return;
    setLoadingOlder(true);
    try {
      const rows = await api.billing.ledger.query({ ...range(), before: String(last.id), limit: LEDGER_PAGE });
      setOlder((l) => [...l, ...rows]);
      if (rows.length < LEDGER_PAGE) setOlderDone(true);
    } catch (err) {
      toastError(err);
    } finally {
      setLoadingOlder(false);
    }
  };

  const days = createMemo(() => {
    const rows = new Map((byDay()?.rows ?? []).map((r) => [String(r.group), r]));
    const xs: number[] = [];
    const cost: number[] = [];
    for (let at = range().from.getTime(); at < range().to.getTime(); at += DAY) {
      xs.push(at / 1000);
      cost.push(usdNumber(rows.get(isoDay(new Date(at)))?.cost ?? 0n));
    }
    return { xs, cost };
  });
  const totalCost = () => byModel()?.total.cost ?? 0n;
  const models = () => [...(byModel()?.rows ?? [])].sort((a, b) => Number(b.cost - a.cost));

  const [code, setCode] = createSignal('');
  const [redeemError, setRedeemError] = createSignal('');
  const redeem = async (e: SubmitEvent) => {
    e.preventDefault();
    setRedeemError('');
    try {
      await api.billing.redeem.mutate({ code: code().trim() });
      setCode('');
      toast(t('billing.redeemed'));
      await Promise.all([refetchMe(), refetchLedger()]);
    } catch (err) {
      setRedeemError(errorInfo(err).message);
    }
  };

  return (
    <>
      <PageHead title={t('billing.title')} description={t('billing.description')} />
      <div class="stack">
        <div class="grid grid-2">
          <div class="card card-body stat">
            <div class="label">{t('billing.balance')}</div>
            <div class="value" data-testid="billing-balance">{me()?.balance !== null && me()?.balance !== undefined ? money(me()!.balance) : '—'}</div>
            <div class="sub">{t('billing.balanceHint')}</div>
          </div>
          <form class="card card-body stack" onSubmit={redeem}>
            <h2>{t('billing.redeemTitle')}</h2>
            <div class="row" style={{ 'align-items': 'flex-end' }}>
              <TextField class="grow" label={t('billing.code')} value={code()} placeholder="0123456789abcdef0123456789abcdef" error={redeemError()} onInput={(e) => setCode(e.currentTarget.value)} />
              <button class="btn primary" type="submit" disabled={!code().trim()}>{t('billing.redeem')}</button>
            </div>
          </form>
        </div>

        <div class="card">
          <div class="card-head">
            <h2>{t('billing.spend')}</h2>
            <div class="row">
              <Show when={isAdmin()}>
                <SelectField label={t('billing.account')} value={userId() ?? ''} onChange={(e) => setUserId(e.currentTarget.value ? Number(e.currentTarget.value) : undefined)}>
                  <option value="">{t('billing.allAccounts')}</option>
                  <For each={users()}>{(u) => <option value={u.id}>{u.username}</option>}</For>
                </SelectField>
              </Show>
              <TextField label={t('billing.from')} type="date" value={from()} max={to()} onChange={(e) => setFrom(e.currentTarget.value)} />
              <TextField label={t('billing.to')} type="date" value={to()} min={from()} onChange={(e) => setTo(e.currentTarget.value)} />
            </div>
          </div>
          <div class="card-body stack">
            <ErrorNotice error={byDay.error} />
            <div class="stat"><div class="label">{t('billing.totalInRange')}</div><div class="value">{money(totalCost())}</div></div>
            <Chart label={t('billing.byDay')} x={days().xs} ys={[days().cost]} series={[{ label: t('dashboard.cost'), color: '#6366f1', bars: true, format: usdAxis }]} />
            <h3>{t('billing.byModel')}</h3>
            <Show when={models().length} fallback={<Empty>{t('dashboard.noUsage')}</Empty>}>
              <div class="table-wrap">
                <table class="table">
                  <thead><tr><th scope="col">{t('logs.model')}</th><th scope="col" class="num">{t('dashboard.calls')}</th><th scope="col" class="num">{t('calls.prompt')}</th><th scope="col" class="num">{t('calls.completion')}</th><th scope="col" class="num">{t('dashboard.cost')}</th></tr></thead>
                  <tbody>
                    <For each={models()}>{(r) => (
                      <tr><td class="mono">{String(r.group)}</td><td class="num">{num(r.calls)}</td><td class="num">{compact(r.promptTokens)}</td><td class="num">{compact(r.completionTokens)}</td><td class="num">{moneyShort(r.cost)}</td></tr>
                    )}</For>
                  </tbody>
                </table>
              </div>
            </Show>
          </div>
        </div>

        <Show when={isAdmin()}>
          <MarginView range={range()} userName={(id) => users()?.find((u) => u.id === id)?.username ?? `#${id}`} />
        </Show>

        <div class="card">
          <div class="card-head"><h2>{t('billing.ledger')}</h2></div>
          <ErrorNotice error={ledgerFirst.error} />
          <Show when={ledger()}>
            <div class="table-wrap">
              <table class="table" data-testid="ledger-table">
                <thead><tr><th scope="col">{t('logs.time')}</th><Show when={isAdmin()}><th scope="col">{t('logs.user')}</th></Show><th scope="col">{t('billing.kind')}</th><th scope="col" class="num">{t('billing.amount')}</th><th scope="col" class="num">{t('billing.balanceAfter')}</th><th scope="col">{t('billing.note')}</th></tr></thead>
                <tbody>
                  <For each={ledger()}>{(r) => (
                    <tr>
                      <td class="small">{dateTime(r.created_at)}</td>
                      <Show when={isAdmin()}><td>{users()?.find((u) => u.id === r.user_id)?.username ?? r.user_id}</td></Show>
                      <td><span class={`badge ${r.amount >= 0n ? 'ok' : ''}`}>{t(`billing.kinds.${r.kind as 'usage'}`)}</span></td>
                      <td class="num">{money(r.amount)}</td>
                      <td class="num">{money(r.balance_after)}</td>
                      <td class="small">{r.kind === 'usage' ? t('billing.usageCalls', { n: r.calls }) : ledgerNote(r.note, t)}<Show when={r.actor}> <span class="muted">· <span translate="no">{r.actor}</span></span></Show></td>
                    </tr>
                  )}</For>
                </tbody>
              </table>
              <Show when={ledger()?.length === 0}><Empty>{t('billing.noLedger')}</Empty></Show>
            </div>
            <Show when={ledgerHasMore() && ledger()?.length}>
              <div class="card-body row pager">
                <span class="small">{t('billing.ledgerShown', { n: num(ledger()!.length) })}</span>
                <button class="btn" data-testid="ledger-more" disabled={loadingOlder()} onClick={() => void loadOlder()}>{t('billing.ledgerMore')}</button>
              </div>
            </Show>
          </Show>
        </div>

        <Show when={isAdmin()}>
          <div class="grid grid-2">
            <TopUp users={users() ?? []} onDone={() => { void refetchLedger(); void refetchMe(); }} />
            <div class="card card-body stack">
              <h2>{t('billing.codesTitle')}</h2>
              <p class="muted">{t('codes.moved')}</p>
              <div><A class="btn" href="/codes">{t('codes.title')}</A></div>
            </div>
          </div>
        </Show>
      </div>
    </>
  );
}

function TopUp(props: { users: Array<{ id: number; username: string }>; onDone: () => void }) {
  const [user, setUser] = createSignal('');
  const [amount, setAmount] = createSignal('');
  const [reason, setReason] = createSignal('');
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setFields({});
    try {
      await api.billing.credit.mutate({ userId: Number(user()), kind: 'topup', amountUsd: amount().trim(), reason: reason().trim() || 'top-up from the console' });
      toast(t('billing.toppedUp'));
      setAmount('');
      setReason('');
      props.onDone();
    } catch (err) {
      formError(err, setFields);
    }
  };
  return (
    <form class="card card-body stack" onSubmit={submit}>
      <h2>{t('billing.topUpTitle')}</h2>
      <SelectField label={t('billing.account')} required value={user()} onChange={(e) => setUser(e.currentTarget.value)}>
        <option value="" disabled>{t('billing.pickAccount')}</option>
        <For each={props.users}>{(u) => <option value={u.id}>{u.username}</option>}</For>
      </SelectField>
      <TextField label={t('billing.amountUsd')} inputMode="decimal" required value={amount()} error={fields().amountUsd} onInput={(e) => setAmount(e.currentTarget.value)} />
      <TextField label={t('billing.reason')} value={reason()} error={fields().reason} onInput={(e) => setReason(e.currentTarget.value)} />
      <div><button class="btn primary" type="submit" disabled={!user() || !amount()}>{t('billing.topUp')}</button></div>
    </form>
  );
}
