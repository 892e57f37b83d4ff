// What every mapper needs: the quota unit, and a place to record roundings and defaults.
import { quotaToNano, type Fraction } from '../money.ts';
import { asBigInt } from '../values.ts';

export interface Skip {
  oneapiId: number | string | null;
  label: string;
  reason: string;
}

export type Mapped<T> = ({ ok: true; value: T } | { ok: false; reason: string }) & {
  oneapiId: number;
  label: string;
};

export class MapContext {
  readonly notes: string[] = [];
  private roundings = 0;

  constructor(readonly quotaPerUnit: Fraction) {}

  /** Quota → nano-USD; inexact conversions (a QuotaPerUnit that does not divide 1e9) are noted. */
  nano(quota: unknown, where: string): bigint {
    const q = asBigInt(quota);
    const { value, exact } = quotaToNano(q, this.quotaPerUnit);
    if (!exact) {
      this.roundings++;
      // Cap the list: a big install could otherwise produce one note per log row.
      if (this.roundings <= 50) this.notes.push(`${where}: ${q} quota is not a whole number of nano-USD, rounded half-up to ${value}`);
      else if (this.roundings === 51) this.notes.push('further quota roundings omitted');
    }
    return value;
  }

  note(message: string): void {
    this.notes.push(message);
  }
}
