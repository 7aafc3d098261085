import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findLockOwner, type LockCandidate, recordKey } from '../../../functions/core/lock.ts';

const candidate = (
  name: string,
  startDate: string,
  recordKeys: string[],
  continuedFrom: string | null = null
): LockCandidate => ({
  executionArn: `arn:aws:states:us-east-1:1:execution:ts:${name}`,
  name,
  startDate,
  recordKeys,
  continuedFrom,
});
const API = recordKey({ hostedZoneId: 'Z1', name: 'API.example.com.', type: 'A' });
const WWW = recordKey({ hostedZoneId: 'Z1', name: 'www.example.com', type: 'A' });

describe('Function: recordKey', () => {
  it('normalises the name so that case and the trailing dot do not make two locks', () => {
    // Act + Assess
    expect(API).toBe('Z1 api.example.com A');
  });
});

describe('Function: findLockOwner', () => {
  it.each([
    {
      name: 'no other run',
      self: candidate('b', '2026-01-01T00:00:01Z', [API]),
      others: [],
      owner: null,
    },
    {
      name: 'an older run on the same record',
      self: candidate('b', '2026-01-01T00:00:01Z', [API]),
      others: [candidate('a', '2026-01-01T00:00:00Z', [API])],
      owner: 'a',
    },
    {
      name: 'a younger run on the same record',
      self: candidate('a', '2026-01-01T00:00:00Z', [API]),
      others: [candidate('b', '2026-01-01T00:00:01Z', [API])],
      owner: null,
    },
    {
      name: 'an older run on other records',
      self: candidate('b', '2026-01-01T00:00:01Z', [API]),
      others: [candidate('a', '2026-01-01T00:00:00Z', [WWW])],
      owner: null,
    },
    {
      name: 'the same start instant: the smaller name wins',
      self: candidate('b', '2026-01-01T00:00:00Z', [API]),
      others: [candidate('a', '2026-01-01T00:00:00Z', [API, WWW])],
      owner: 'a',
    },
    {
      name: 'its own predecessor (a continuation hand-over)',
      self: candidate(
        'b-c2',
        '2026-01-01T00:00:00Z',
        [API],
        'arn:aws:states:us-east-1:1:execution:ts:a'
      ),
      others: [candidate('a', '2025-12-31T00:00:00Z', [API])],
      owner: null,
    },
  ])('$name -> owner $owner', ({ self, others, owner }) => {
    // Act
    const found = findLockOwner(self, [self, ...others]);

    // Assess
    expect(found?.name ?? null).toBe(owner);
  });

  it('yields to a rival that already passed preflight even when it would sort first', () => {
    // Prepare: same instant, self has the smaller name, but the rival's preflight already returned.
    const self = candidate('a', '2026-01-01T00:00:00Z', [API]);
    const rival = { ...candidate('b', '2026-01-01T00:00:00Z', [API]), established: true };

    // Act + Assess
    expect(findLockOwner(self, [rival])?.name).toBe('b');
  });

  it('never blocks its own successor, which carries the run on', () => {
    // Prepare
    const self = candidate('a', '2026-01-01T00:00:00Z', [API]);
    const successor = candidate('a-c2', '2025-12-31T00:00:00Z', [API], self.executionArn);

    // Act + Assess
    expect(findLockOwner(self, [successor])).toBeNull();
  });

  it('lets exactly one of any set of runs on the same record proceed', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            name: fc.string({ minLength: 1, maxLength: 6 }),
            second: fc.integer({ min: 0, max: 3 }),
          }),
          {
            minLength: 1,
            maxLength: 8,
            selector: (run) => run.name,
          }
        ),
        (runs) => {
          const all = runs.map((run) =>
            candidate(run.name, `2026-01-01T00:00:0${run.second}Z`, [API])
          );
          const proceeding = all.filter((self) => findLockOwner(self, all) === null);
          return proceeding.length === 1;
        }
      )
    );
  });
});
