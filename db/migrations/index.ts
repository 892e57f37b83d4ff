// Ordered migrations, imported statically so a compiled binary carries them.
// Add a file NNN_name.ts and list it here; names sort in apply order.
import type { Migration } from 'kysely/migration';
import * as m001 from './001_init.ts';
import * as m002 from './002_routing.ts';

export const migrations: Record<string, Migration> = {
  '001_init': m001,
  '002_routing': m002,
};
