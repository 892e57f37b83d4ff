// In-memory views of the rows the relay reads on every request. Built from the database
// at start and rebuilt when an admin changes something; the hot path reads only these.
import type { PriceEntry } from '../billing/pricing.ts';
import type { Provider } from '../relay/providers/types.ts';

export interface KeyEntry {
  id: number;
  userId: number;
  name: string;
  status: number;
  budget: bigint | null;
  /** `used` as of the last load or flush; unflushed spend lives in Accounts. */
  used: bigint;
  expiresAt: number | null;
  models: Set<string> | null;
  ipAllow: string[] | null;
  groups: string[] | null;
  /** Periodic budget (calendar periods in the billing timezone), enforced through leases. */
  period: 'daily' | 'weekly' | 'monthly' | null;
  periodBudget: bigint | null;
  rpm: number | null;
  tpm: number | null;
}

export interface UserEntry {
  id: number;
  username: string;
  role: 'root' | 'admin' | 'user';
  status: number;
  group: string;
  unlimited: boolean;
  rpm: number | null;
  tpm: number | null;
}

export interface PoolKey {
  id: number;
  key: string;
  status: number;
  cooldownUntil: number;
}

export interface ChannelEntry {
  id: number;
  /** The One API channel it was imported from (null: created in Switchboard). */
  oneapiId: number | null;
  name: string;
  type: number;
  provider: Provider;
  baseUrl: string;
  models: Set<string>;
  mapping: Record<string, string>;
  priority: number;
  weight: number;
  groups: Set<string>;
  status: number;
  config: Record<string, string>;
  headers: Record<string, string>;
  /** Forced system prompt for chat calls (null: none), see server/channels/overrides.ts. */
  systemPrompt: string | null;
  /** Request parameter overrides for chat calls: `{ set?, rename?, remove? }`. */
  paramOverride: Record<string, unknown>;
  /** This channel's own prices (channel_prices), by the client's model name; they win over the price table. */
  prices: Map<string, PriceEntry>;
  /** What the upstream charges the operator (channel_cost_prices), by client model name; `*`: every model. */
  costPrices: Map<string, PriceEntry>;
  keys: PoolKey[];
  /** Round-robin cursor over `keys`; kept across reloads. */
  cursor: number;
}

export interface Tier {
  priority: number;
  channels: ChannelEntry[];
}

export type { PriceEntry };

/** The caller of a relay request: the client key presented and the account owning it. */
export interface KeyHolder {
  key: KeyEntry;
  user: UserEntry;
  /** One API's channel pin `sk-<key>-<channel id>` (admin users only): the channel id as sent. */
  pinChannel?: number;
}
