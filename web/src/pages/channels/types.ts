// Shapes of the channel procedures, taken from the server's router types.
import type { api } from '../../api/client.ts';

export type Channel = Awaited<ReturnType<typeof api.channels.list.query>>[number];
export type VendorPreset = Awaited<ReturnType<typeof api.channels.catalog.query>>[number];
export type TestResult = Awaited<ReturnType<typeof api.channels.test.mutate>>;

/** 1 enabled, 2 disabled by hand, 3 disabled automatically (db/schema.ts). */
export const statusTone = (s: number) => (s === 1 ? 'ok' : s === 3 ? 'warn' : '');
