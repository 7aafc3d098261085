/** Turns zod issues into `{ path, rule }` pairs a person can act on, with "did you mean" for unknown keys. */
import type * as z from 'zod/mini';
import { closestKey } from './key-suggestion.ts';

/** Renders a zod path as `records[0].hostedZoneId`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`
    )
    .join('');
}

/** The keys an object of the input may have, given the path of the unknown key. */
export type KnownKeys = (path: readonly PropertyKey[]) => string[];

/** Turns zod issues into `{ path, rule }` pairs; `knownKeysAt` feeds the "did you mean" of unknown keys. */
export function describeZodIssues(
  error: z.core.$ZodError,
  knownKeysAt: KnownKeys
): { path: string; rule: string }[] {
  return error.issues.flatMap((issue) => describeIssue(issue, [], knownKeysAt));
}

function describeIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly PropertyKey[],
  knownKeysAt: KnownKeys
): { path: string; rule: string }[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    // A union (a bare discovery name or an object) fails in every branch; the branch of the input's own
    // shape says what is wrong with it. Only when the shape matches no branch, the union's rule stands.
    const branch = issue.errors.find(
      (issues) => !issues.some((i) => i.code === 'invalid_type' && i.path.length === 0)
    );
    if (branch !== undefined)
      return branch.flatMap((inner) => describeIssue(inner, path, knownKeysAt));
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const suggestion = closestKey(key, knownKeysAt(path));
      return {
        path: formatPath([...path, key]),
        rule:
          suggestion === undefined
            ? 'unknown key (check the spelling against the input reference)'
            : `unknown key: did you mean ${suggestion}?`,
      };
    });
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return [{ path: formatPath(path), rule: 'is required' }];
  }
  return [{ path: formatPath(path), rule: issue.message }];
}
