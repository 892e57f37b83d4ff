// All writes, in dependency order, inside the caller's transaction.
import type { SecretBox } from '../../secrets/crypto.ts';
import type { ImportPlan } from '../plan.ts';
import { writeChannelPrices, writeGroups, writePrices, type PriceMode } from './catalog.ts';
import { disableGoneChannels, writeChannels } from './channels.ts';
import { writeCodes } from './codes.ts';
import type { WriteContext } from './context.ts';
import { disableGoneKeys, writeKeys } from './keys.ts';
import { writeLogs } from './logs.ts';
import { writeBehaviour } from './settings.ts';
import { disableGoneUsers, writeUsers } from './users.ts';

export type { WriteContext } from './context.ts';

export type { PriceMode } from './catalog.ts';

export async function writePlan(w: WriteContext, box: SecretBox, plan: ImportPlan, opts: { prices: PriceMode }): Promise<void> {
  await writeGroups(w, plan.options.groups, plan.referencedGroups);
  await writeBehaviour(w, plan.options.settings);
  const users = await writeUsers(w, plan.users);
  await disableGoneUsers(w, new Set(plan.users.map((u) => u.oneapiId)), plan.gone.users);
  const keys = await writeKeys(w, plan.keys, users);
  await disableGoneKeys(w, new Set(keys.keys()), plan.gone.tokens);
  const channels = await writeChannels(w, box, plan.channels);
  await disableGoneChannels(w, new Set(plan.channels.map((c) => c.oneapiId)));
  await writePrices(w, plan.prices.prices, opts.prices);
  await writeChannelPrices(w, plan.prices.channelPrices, channels, opts.prices);
  await writeCodes(w, plan.codes, plan.codeStates);
  await writeLogs(w, plan.logs, { users, keys, channels, keyPlans: plan.keys });
}
