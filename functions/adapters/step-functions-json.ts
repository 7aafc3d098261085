/**
 * JSON values as Step Functions carries them (an execution's input, a Task's output): an object guard, lenient
 * parsing and key-order-insensitive equality. Apart so that the execution control (describe, an idempotent
 * start) and the history reads (a Task's RunState) share one guard.
 */

/**
 * A plain JSON object (not null, not an array).
 *
 * @example
 * isObject({ snapshot: [] }); // true
 * isObject([]); // false
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses an execution's input; no input is null, text that is not JSON is kept as it came.
 *
 * @example
 * parseJson('{"a":1}'); // { a: 1 }
 * parseJson('not json'); // 'not json'
 */
export function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text; // Step Functions input is JSON; keep anything else as it came
  }
}

/** Deep equality of parsed JSON, insensitive to object key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameJson(item, b[i]))
    );
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => key in b && sameJson(a[key], b[key]))
    );
  }
  return a === b;
}
