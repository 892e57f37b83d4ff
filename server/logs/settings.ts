// Call-log settings: one `settings` row per setting (`logs.<name>`, jsonb), loaded at start
// and after every admin change (store reload). A missing or invalid row falls back to its
// default, so a bad value can never stop the relay.
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import type { Database } from '../../db/schema.ts';

const int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));

export const LogSettingsSchema = v.object({
  /** Days of call logs (and captured bodies) to keep; 0 keeps everything. */
  retentionDays: int(0, 36_500),
  /** Capture request/response bodies for these API key ids… */
  captureKeys: v.array(int(1, 2_147_483_647)),
  /** …and for these requested models. Empty lists: capture is off. */
  captureModels: v.array(v.pipe(v.string(), v.trim(), v.nonEmpty())),
  /** Bytes kept of each body (request and response separately). */
  captureMaxBytes: int(256, 1_048_576),
});

export type LogSettings = v.InferOutput<typeof LogSettingsSchema>;

export const LOG_DEFAULTS: LogSettings = { retentionDays: 0, captureKeys: [], captureModels: [], captureMaxBytes: 16_384 };

export const LogSettingsPatch = v.partial(LogSettingsSchema);

export const logSettingKey = (name: keyof LogSettings) => `logs.${name}`;

/** The current settings plus the lookups the hot path needs (two Set probes per call). */
export class LogSettingsCache {
  current: LogSettings = { ...LOG_DEFAULTS };
  private keys = new Set<number>();
  private models = new Set<string>();

  async reload(db: Kysely<Database>): Promise<void> {
    const rows = await db.selectFrom('settings').select(['key', 'value']).where('key', 'like', 'logs.%').execute();
    const byKey = new Map(rows.map((r) => [r.key, r.value]));
    const next = { ...LOG_DEFAULTS };
    for (const name of Object.keys(LOG_DEFAULTS) as Array<keyof LogSettings>) {
      const parsed = v.safeParse(LogSettingsSchema.entries[name], byKey.get(logSettingKey(name)));
      if (parsed.success) (next as Record<string, unknown>)[name] = parsed.output;
    }
    this.current = next;
    this.keys = new Set(next.captureKeys);
    this.models = new Set(next.captureModels);
  }

  /** Bytes to capture of each body for this call; 0 when capture is off for its key and model. */
  captureLimit(keyId: number | undefined, model: string): number {
    if (this.keys.size === 0 && this.models.size === 0) return 0;
    return (keyId !== undefined && this.keys.has(keyId)) || this.models.has(model) ? this.current.captureMaxBytes : 0;
  }
}
