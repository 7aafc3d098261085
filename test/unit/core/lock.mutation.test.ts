/**
 * Lock ordering cases the table in lock.test.ts leaves open (found by `npm run mutation`): start time before
 * name, a run listed among the running ones never blocks itself, and the earliest of several established rivals.
 */
import { describe, expect, it } from 'vitest';
import { findLockOwner, type LockCandidate } from '../../../functions/core/lock.ts';

const KEY = 'Z1 api.example.com A';
const candidate = (
  name: string,
  startDate: string,
  extra: Partial<LockCandidate> = {}
): LockCandidate => ({
  executionArn: `arn:aws:states:us-east-1:1:execution:ts:${name}`,
  name,
  startDate,
  recordKeys: [KEY],
  continuedFrom: null,
  ...extra,
});

describe('Function: findLockOwner, ordering', () => {
  it('orders by start time first: an earlier run with a later name owns the records', () => {
    // Prepare
    const self = candidate('a-run', '2025-01-01T00:00:02Z');
    const older = candidate('z-run', '2025-01-01T00:00:01Z');

    // Act + Assess
    expect(findLockOwner(self, [self, older])).toBe(older);
    expect(findLockOwner(older, [self, older])).toBeNull();
  });

  it('never names the run itself, even once it is established', () => {
    // Prepare
    const self = candidate('self', '2025-01-01T00:00:01Z', { established: true });

    // Act + Assess
    expect(findLockOwner(self, [self])).toBeNull();
  });

  it('names the earliest-started of several established rivals', () => {
    // Prepare
    const self = candidate('self', '2025-01-01T00:00:00Z');
    const later = candidate('later', '2025-01-01T00:00:05Z', { established: true });
    const earlier = candidate('earlier', '2025-01-01T00:00:03Z', { established: true });

    // Act + Assess
    expect(findLockOwner(self, [self, later, earlier])).toBe(earlier);
  });
});
