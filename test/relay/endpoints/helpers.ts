// Shared by the endpoint tests: prices with extra units, log rows by request id, a WAV.
import type { TestGateway } from '../../helpers/gateway.ts';

export interface PriceSpec {
  input?: string;
  output?: string;
  cacheRead?: string;
  /** PriceExtra, amounts as nano-USD strings. */
  extra?: Record<string, unknown>;
}

export async function setPrice(g: TestGateway, model: string, p: PriceSpec): Promise<void> {
  await g.admin.prices.set.mutate({ model, inputUsdPerM: p.input ?? '0', outputUsdPerM: p.output ?? '0', ...(p.cacheRead ? { cacheReadUsdPerM: p.cacheRead } : {}) });
  if (p.extra) {
    // The admin API has no field for unit prices yet: write the jsonb column and reload.
    await g.gw.db.db.updateTable('prices').set({ extra: p.extra }).where('model', '=', model).execute();
    await g.gw.invalidate();
  }
}

export async function dropPrice(g: TestGateway, model: string): Promise<void> {
  await g.gw.db.db.deleteFrom('prices').where('model', '=', model).execute();
  await g.gw.invalidate();
}

export async function logFor(g: TestGateway, requestId: string | null) {
  if (!requestId) throw new Error('response has no x-request-id');
  await g.flush();
  return g.gw.db.db.selectFrom('call_logs').selectAll().where('request_id', '=', requestId).executeTakeFirstOrThrow();
}

/** `seconds` of 16-bit mono PCM silence at `rate` Hz, as a WAV file. */
export function wavSilence(seconds: number, rate = 16_000): Uint8Array {
  const dataBytes = Math.round(rate * seconds) * 2;
  const buf = new ArrayBuffer(44 + dataBytes);
  const v = new DataView(buf);
  const tag = (off: number, s: string) => { for (let i = 0; i < 4; i++) v.setUint8(off + i, s.charCodeAt(i)); };
  tag(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  tag(8, 'WAVE');
  tag(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 1, true); // mono
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * 2, true); // byte rate
  v.setUint16(32, 2, true); // block align
  v.setUint16(34, 16, true); // bits per sample
  tag(36, 'data');
  v.setUint32(40, dataBytes, true);
  return new Uint8Array(buf);
}
