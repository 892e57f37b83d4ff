// Ordered migrations, imported statically so a compiled binary carries them.
// Add a file NNN_name.ts and list it here; names sort in apply order.
import type { Migration } from 'kysely/migration';
import * as m001 from './001_init.ts';
import * as m002 from './002_routing.ts';
import * as m003 from './003_billing.ts';
import * as m004 from './004_logs.ts';
import * as m005 from './005_auth.ts';
import * as m006 from './006_log_rollups_in_writer.ts';
import * as m007 from './007_alerts.ts';
import * as m010 from './010_oneapi_sync.ts';
import * as m011 from './011_aiproxy.ts';
import * as m014 from './014_routing_cost.ts';

export const migrations: Record<string, Migration> = {
  '001_init': m001,
  '002_routing': m002,
  '003_billing': m003,
  '004_logs': m004,
  '005_auth': m005,
  '006_log_rollups_in_writer': m006,
  '007_alerts': m007,
  '010_oneapi_sync': m010,
  '011_aiproxy': m011,
  '014_routing_cost': m014,
};
