// Input schemas for accounts: sign-in, users, client keys and personal access tokens. Shared by
// the router, the CLI and the console; messages are shown next to the field.
import { isIP } from 'node:net';
import * as v from 'valibot';
import { Id, int4, INT4_MAX, ModelList, Text, UsdAmount } from './schemas.ts';
import { INT8_MAX, usdToNano } from '../billing/money.ts';

export { Id };
export const IdInput = v.object({ id: Id });

const Name = v.pipe(Text, v.trim(), v.nonEmpty('name is required'), v.maxLength(100, 'must be at most 100 characters'));
const Username = v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9_.@-]{2,64}$/, 'must be 2-64 letters, digits or _.@-'));
const Password = v.pipe(v.string(), v.minLength(8, 'must be at least 8 characters'), v.maxLength(256, 'must be at most 256 characters'));
const Timestamp = v.pipe(v.string(), v.isoTimestamp('must be an ISO timestamp'));
const Limit = (max: number, dflt: number) => v.optional(int4(1, max), dflt);
const Offset = v.optional(int4(0), 0);
const PerMinute = v.nullable(int4(1));

/** A signed USD amount for balance adjustments ("-2.5", "10"); zero is refused. */
const SignedUsd = v.pipe(
  v.union([v.string(), v.number()]),
  v.transform(String),
  v.regex(/^-?\d+(\.\d{1,9})?$/, 'must be a USD amount like 10 or -2.5 with at most 9 decimals'),
  v.check((s) => /[1-9]/.test(s), 'must not be zero'),
  v.check((s) => !/^-?\d+(\.\d{1,9})?$/.test(s) || usdToNano(s.replace('-', '')) <= INT8_MAX, 'must be at most 9223372036.854775807 either way'),
);

export function isCidr(s: string): boolean {
  const [addr = '', bits, ...rest] = s.split('/');
  const family = isIP(addr);
  if (!family || rest.length) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
}

export const Login = v.object({
  username: v.pipe(Text, v.trim(), v.nonEmpty('username is required'), v.maxLength(64)),
  password: v.pipe(v.string(), v.nonEmpty('password is required'), v.maxLength(256)),
});

export const ChangePassword = v.object({
  currentPassword: v.pipe(v.string(), v.nonEmpty('current password is required')),
  newPassword: Password,
});

export const UserCreate = v.object({
  username: Username,
  displayName: v.optional(v.pipe(Text, v.trim(), v.maxLength(100))),
  password: v.optional(Password),
  role: v.optional(v.picklist(['admin', 'user'], 'must be admin or user'), 'user'),
  group: v.optional(v.pipe(Text, v.trim(), v.nonEmpty()), 'default'),
  balanceUsd: v.optional(UsdAmount),
  unlimited: v.optional(v.boolean(), false),
});

export const UserUpdate = v.object({
  id: Id,
  displayName: v.optional(v.pipe(Text, v.trim(), v.maxLength(100))),
  role: v.optional(v.picklist(['admin', 'user'], 'must be admin or user')),
  status: v.optional(v.picklist([1, 2], 'status must be 1 (enabled) or 2 (disabled)')),
  group: v.optional(v.pipe(Text, v.trim(), v.nonEmpty('group must not be empty'))),
  unlimited: v.optional(v.boolean()),
  rpm: v.optional(PerMinute),
  tpm: v.optional(PerMinute),
  /** Set a new password for the account (admins resetting a user's password). */
  password: v.optional(Password),
});

export const UserQuery = v.optional(v.object({
  search: v.optional(v.pipe(Text, v.trim())),
  role: v.optional(v.picklist(['root', 'admin', 'user'])),
  status: v.optional(v.picklist([1, 2, 3])),
  limit: Limit(1000, 100),
  offset: Offset,
}), {});

export const BalanceAdjust = v.object({
  id: Id,
  amountUsd: SignedUsd,
  reason: v.pipe(Text, v.trim(), v.nonEmpty('a reason is required'), v.maxLength(500)),
});

/** Limits a key can carry; `null` clears one. */
const keyLimits = {
  budgetUsd: v.optional(v.nullable(UsdAmount)),
  period: v.optional(v.nullable(v.picklist(['daily', 'weekly', 'monthly'], 'must be daily, weekly or monthly'))),
  periodBudgetUsd: v.optional(v.nullable(UsdAmount)),
  expiresAt: v.optional(v.nullable(Timestamp)),
  models: v.optional(v.nullable(ModelList)),
  ipAllow: v.optional(v.nullable(v.array(v.pipe(v.string(), v.trim(), v.check(isCidr, 'must be an IP address or a CIDR range like 10.0.0.0/8'))))),
  /** Admins only: which channel groups the key may use. */
  groups: v.optional(v.nullable(ModelList)),
  rpm: v.optional(PerMinute),
  tpm: v.optional(PerMinute),
};

/** A period budget needs both fields; setting one alone is an error on the budget field. */
const PERIOD_PAIR = 'period and periodBudgetUsd are set (or cleared) together';
const periodPairOk = (i: { period?: string | null; periodBudgetUsd?: string | null }) =>
  (i.period === undefined && i.periodBudgetUsd === undefined) || (i.period == null) === (i.periodBudgetUsd == null);

export const KeyCreate = v.pipe(v.object({
  name: Name,
  /** Username or id of the owner (admins); a user's keys are always their own. Default: the caller, or root for ADMIN_KEY. */
  user: v.optional(v.union([v.pipe(Text, v.check((s) => !/^\d+$/.test(s) || Number(s) <= INT4_MAX, 'must be a username or a user id')), Id])),
  ...keyLimits,
}), v.forward(v.partialCheck([['period'], ['periodBudgetUsd']], periodPairOk, PERIOD_PAIR), ['periodBudgetUsd']));

export const KeyUpdate = v.pipe(v.object({
  id: Id,
  name: v.optional(Name),
  status: v.optional(v.picklist([1, 2], 'status must be 1 (enabled) or 2 (disabled)')),
  ...keyLimits,
}), v.forward(v.partialCheck([['period'], ['periodBudgetUsd']], periodPairOk, PERIOD_PAIR), ['periodBudgetUsd']));

const SettableStatus = v.picklist([1, 2], 'status must be 1 (enabled) or 2 (disabled)');

export const KeyStatus = v.object({ id: Id, status: SettableStatus });

export const KeyQuery = v.optional(v.object({
  /** Admins: only this user's keys. */
  userId: v.optional(Id),
  limit: Limit(1000, 200),
  offset: Offset,
}), {});

export const TokenCreate = v.object({
  name: Name,
  expiresAt: v.optional(v.nullable(Timestamp)),
});
