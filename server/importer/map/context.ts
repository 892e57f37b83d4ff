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

const INT8_MAX = 9_223_372_036_854_775_807n;

/** A source value Switchboard cannot hold: the import stops, naming the row, before any write. */
export class RowValueError extends Error {
  override name = 'RowValueError';
}

/** Money columns are int8 nano-USD (±$9.2 billion); a source value beyond that names its row. */
export function checkInt8(value: bigint, where: string, raw: string): void {
  if (value > INT8_MAX || value < -INT8_MAX - 1n)
    throw new RowValueError(`${where}: ${raw} is ${value} nano-USD, beyond the largest amount Switchboard can hold (int8, about $9.2 billion); fix that row in One API and run the import again. Nothing was imported`);
}

export class MapContext {
  readonly notes: string[] = [];
  private roundings = 0;

  constructor(readonly quotaPerUnit: Fraction) {}

  /** Quota → nano-USD; inexact conversions (a QuotaPerUnit that does not divide 1e9) are noted. */
  nano(quota: unknown, where: string): bigint {
    const q = asBigInt(quota);
    const { value, exact } = quotaToNano(q, this.quotaPerUnit);
    checkInt8(value, where, `${q} quota`);
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
