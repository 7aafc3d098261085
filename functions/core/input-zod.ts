/**
 * What the input schemas need around zod/mini: the same checks and messages as classic zod in a third of its
 * bytes (zod in the Preflight bundle 95 -> 34 KB; Preflight is the only function with zod, and the largest:
 * issue 13's init and size limits). Each input file imports `zod/mini` itself: re-exporting its namespace
 * would keep all of it in the bundle.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini loads no locale: without this, every issue without a message of its own (a string where a number
// belongs, a malformed field of the resume state) would read "Invalid input". Classic zod sets the same default.
if (z.config().localeError === undefined) z.config(en());

/**
 * The schema with a description for `npm run schema` (schema/migration-input.schema.json), registered as
 * classic zod's `.describe()` does: on a copy, so a schema shared by several fields keeps each one's text.
 */
export function described<T extends z.ZodMiniType>(schema: T, description: string): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy, { description });
  return copy;
}

interface Bounds {
  min: number;
  max: number;
  default: number;
  /** Why the maximum is what it is, added to its message: "must be <= 604800 (7 days)". */
  maxNote?: string;
}

function within<T extends z.ZodMiniNumber<number>>(schema: T, { min, max, maxNote }: Bounds): T {
  const maxRule = maxNote === undefined ? `must be <= ${max}` : `must be <= ${max} (${maxNote})`;
  return schema.check(z.gte(min, `must be >= ${min}`), z.lte(max, maxRule));
}

/** A whole number from `min` to `max`, `default` when absent; each broken rule is named ("must be >= 60"). */
export function boundedInt(bounds: Bounds) {
  return z._default(within(z.int('must be an integer'), bounds), bounds.default);
}

/** A number from `min` to `max`, `default` when absent; each broken rule is named ("must be <= 100"). */
export function boundedNumber(bounds: Bounds) {
  return z._default(within(z.number(), bounds), bounds.default);
}
