// Field schemas every input layer shares (admin API, channel inputs, log queries): values
// that fit the Postgres column they are stored in or compared with.
import * as v from 'valibot';

// Every value must fit the column it is stored in or compared with: past the range, Postgres
// refuses it and the call would be a 500 instead of a 400 naming the field.
export const INT4_MIN = -2_147_483_648;
export const INT4_MAX = 2_147_483_647;

/** An integer that fits a Postgres int4 column, within [min, max]. */
export const int4 = (min = INT4_MIN, max = INT4_MAX) => v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer'),
  v.minValue(min, `must be at least ${min}`),
  v.maxValue(max, `must be at most ${max}`),
);

/** A serial (int4) row id. */
export const Id = v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be a positive id'), v.maxValue(INT4_MAX, `must be at most ${INT4_MAX}`));

/** Postgres text (and jsonb) cannot hold U+0000. */
export const noNul = v.check((s: string) => !s.includes('\u0000'), 'must not contain NUL (\\u0000) characters');

/** A string with no NUL: everything admin inputs store in text columns. */
export const Text = v.pipe(v.string(), noNul);

/** String keys and values with no NUL (jsonb maps: mappings, config, headers). */
export const TextRecord = v.record(Text, Text);

export const ModelList = v.pipe(
  v.union([v.string(), v.array(v.string())]),
  v.transform((x) => [...new Set((Array.isArray(x) ? x : x.split(',')).map((s) => s.trim()).filter(Boolean))]),
  v.check((xs) => xs.every((s) => !s.includes('\u0000')), 'must not contain NUL (\\u0000) characters'),
);
