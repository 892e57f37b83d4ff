// import.oneapi: the One API importer behind the admin API (tRPC here, REST in rest.ts, the CLI
// through the typed client). Progress goes out on gw.events as `import.progress` for live
// subscribers; a real import then reloads the relay's caches.
import { TRPCError } from '@trpc/server';
import * as v from 'valibot';
import type { Principal } from '../auth/principal.ts';
import { principalName } from '../auth/principal.ts';
import type { Gateway } from '../context.ts';
import type { ImportReport } from '../importer/index.ts';
import type { ImportProgressEvent } from '../routing/events.ts';
import { randomToken } from '../secrets/crypto.ts';
import { int4 } from './schemas.ts';
import { adminProcedure, noteAudit, router } from './trpc.ts';

export type { ImportProgressEvent };

export const OneApiImport = v.object({
  dsn: v.pipe(v.optional(v.string('dsn must be a string'), ''), v.trim(), v.nonEmpty('dsn is required')),
  dryRun: v.optional(v.boolean(), false),
  logsDays: v.optional(int4(0, 3650), 0),
  /** Prices Switchboard already has: `replace` them with what One API charged (default) or `keep` them. */
  prices: v.optional(v.picklist(['replace', 'keep'], 'prices must be "replace" or "keep"'), 'replace'),
});

// The importer and its database drivers (mysql2 alone is ~20 MB resident) load on first use.
let importer: typeof import('../importer/index.ts') | null = null;

export async function runOneApiImport(gw: Gateway, principal: Principal, input: v.InferOutput<typeof OneApiImport>): Promise<ImportReport> {
  const runId = randomToken(10);
  const actor = principalName(principal);
  importer ??= await import('../importer/index.ts');
  const report = await importer.importOneApi(gw.db.db, gw.box, {
    dsn: input.dsn, dryRun: input.dryRun, logsDays: input.logsDays, prices: input.prices, actor,
    onProgress: (p) => gw.events.emit('import.progress', { ...p, runId, dryRun: input.dryRun, actor, at: new Date() }),
  });
  if (!input.dryRun) await gw.invalidate();
  return report;
}

/** The importer's errors are already free of secrets; show them as they are. */
export function importErrorMessage(e: unknown): string | null {
  return importer && e instanceof importer.OneApiImportError ? `One API import failed (${e.phase}): ${e.message}` : null;
}

export const importRouter = router({
  oneapi: adminProcedure.input(OneApiImport).mutation(async ({ ctx, input }) => {
    try {
      const report = await runOneApiImport(ctx.gw, ctx.principal, input);
      // The preview can list thousands of rows; the audit row keeps the counts.
      noteAudit(ctx, { after: { dryRun: report.dryRun, counts: report.counts } });
      return report;
    } catch (e) {
      const message = importErrorMessage(e);
      if (message) throw new TRPCError({ code: 'BAD_REQUEST', message });
      throw e;
    }
  }),
});
