/**
 * The restore-or-skip boundaries of ownership.ts that ownership.test.ts leaves open (found by `npm run mutation`):
 * the grace and in-flight limits exactly at their value, every execution status that still owns the records,
 * both ways a run can end before any write, which pending targets make a pair the run's own, and the reasons the
 * operator reads (`traffic-shift status`, the reconciler's log).
 */
import { describe, expect, it } from 'vitest';
import {
  type EndedRunFacts,
  foreignDrift,
  pendingAfter,
  planEndedRun,
} from '../../../functions/core/ownership.ts';
import { pairWith } from './fixtures.ts';
import { ARN, entryWith, weights } from './ownership-fixtures.ts';

const facts = (overrides: Partial<EndedRunFacts>): EndedRunFacts => ({
  entry: entryWith(),
  executionArn: ARN,
  status: 'ABORTED',
  error: null,
  secondsSinceUpdate: 60,
  graceSeconds: 900,
  inFlightSeconds: 300,
  ...overrides,
});

describe('Function: planEndedRun, boundaries and reasons', () => {
  it.each([
    {
      name: 'a finished entry',
      given: { entry: entryWith({ phase: 'rolled-back' }) },
      plan: { action: 'skip', reason: 'migration already rolled-back' },
    },
    {
      name: 'an entry a continuation took over',
      given: { entry: entryWith({ executionArn: `${ARN}-c2` }) },
      plan: { action: 'skip', reason: `migration is owned by ${ARN}-c2 now` },
    },
    {
      name: 'a running owner',
      given: { status: 'RUNNING' },
      plan: { action: 'skip', reason: 'execution RUNNING: it still owns the migration' },
    },
    {
      name: 'a failed owner that may still be redriven',
      given: { status: 'PENDING_REDRIVE' },
      plan: { action: 'skip', reason: 'execution PENDING_REDRIVE: it still owns the migration' },
    },
    {
      name: 'a missing owner one second before the grace period ends',
      given: { status: 'NOT_FOUND', secondsSinceUpdate: 899.4 },
      plan: { action: 'skip', reason: 'execution not found yet (899s < 900s grace)' },
    },
    {
      name: 'a missing owner exactly at the end of the grace period',
      given: { status: 'NOT_FOUND', secondsSinceUpdate: 900 },
      plan: {
        action: 'restore',
        reason: 'execution never started while running: restoring the snapshot',
      },
    },
    {
      name: 'a run still in preflight (no snapshot yet)',
      given: { entry: entryWith({ phase: 'preflight', snapshot: [] }), status: 'FAILED' },
      plan: {
        action: 'release',
        reason: 'execution FAILED before any write: releasing the records',
      },
    },
    {
      name: 'a running entry whose snapshot is still empty',
      given: { entry: entryWith({ snapshot: [] }) },
      plan: {
        action: 'release',
        reason: 'execution ABORTED before any write: releasing the records',
      },
    },
    {
      name: 'a preflight entry that already holds a snapshot (the write was never allowed)',
      given: { entry: entryWith({ phase: 'preflight' }) },
      plan: {
        action: 'release',
        reason: 'execution ABORTED before any write: releasing the records',
      },
    },
    {
      name: 'an observe-mode run',
      given: { entry: entryWith({ mode: 'observe' }), status: 'TIMED_OUT' },
      plan: { action: 'release', reason: 'execution TIMED_OUT in observe mode: it never wrote' },
    },
    {
      name: 'an operator stop with KeepWeights',
      given: { error: 'KeepWeights' },
      plan: {
        action: 'keep-weights',
        reason: 'stopped with KeepWeights: the operator keeps the current weights',
      },
    },
    {
      name: 'a write in flight one second before it can no longer land',
      given: { entry: entryWith({ pending: [weights(50, 50)] }), secondsSinceUpdate: 299 },
      plan: {
        action: 'restore-and-wait',
        reason:
          'execution ABORTED with a write in flight: restoring the snapshot now and again once it can no longer land (300s)',
      },
    },
    {
      name: 'a write in flight exactly when it can no longer land',
      given: { entry: entryWith({ pending: [weights(50, 50)] }), secondsSinceUpdate: 300 },
      plan: {
        action: 'restore',
        reason: 'execution ABORTED while running: restoring the snapshot',
      },
    },
    {
      name: 'an owner that failed with any other error',
      given: { status: 'FAILED', error: 'States.TaskFailed' },
      plan: { action: 'restore', reason: 'execution FAILED while running: restoring the snapshot' },
    },
  ])('$name: $plan.action', ({ given, plan }) => {
    expect(planEndedRun(facts(given as Partial<EndedRunFacts>))).toEqual(plan);
  });
});

describe('Function: pendingAfter, which earlier targets stay', () => {
  it.each([
    { name: 'another blue weight', earlier: weights(60, 50) },
    { name: 'another green weight', earlier: weights(50, 60) },
    { name: 'another zone', earlier: weights(50, 50, 'Z2') },
    { name: 'another record name', earlier: weights(50, 50, 'Z1', 'www.example.com') },
  ])('an earlier target with $name than the new one stays in flight', ({ earlier }) => {
    expect(pendingAfter([earlier], [weights(50, 50)])).toEqual([weights(50, 50), earlier]);
  });

  it('an earlier target equal to any one of the new targets is not kept twice', () => {
    expect(
      pendingAfter(
        [weights(50, 50, 'Z1')],
        [weights(100, 0, 'Z2'), weights(50, 50, '/hostedzone/Z1')]
      )
    ).toEqual([weights(100, 0, 'Z2'), weights(50, 50, '/hostedzone/Z1')]);
  });
});

describe('Function: foreignDrift, whose weights a pair holds', () => {
  it("a pending target of one pair does not make another pair's weights the run's own", () => {
    // Act: Z1 is at 70/30, which is neither its expected 90/10 nor any target of its own; only Z2 has 70/30 in flight.
    const found = foreignDrift(
      [
        pairWith({ blue: 70, green: 30 }, { hostedZoneId: 'Z1' }),
        pairWith({ blue: 90, green: 10 }, { hostedZoneId: 'Z2' }),
      ],
      [weights(90, 10, 'Z1'), weights(90, 10, 'Z2')],
      [weights(70, 30, 'Z2')]
    );

    // Assess
    expect(found).toEqual([
      'api.example.com A in Z1: blue weight 70 (expected 90), green weight 30 (expected 10)',
    ]);
  });

  it('an expected pair that is gone is drift, also with a write in flight', () => {
    // Act
    const found = foreignDrift(
      [pairWith({ blue: 90, green: 10 }, { hostedZoneId: 'Z2' })],
      [weights(90, 10, 'Z1'), weights(90, 10, 'Z2')],
      [weights(50, 50, 'Z1')]
    );

    // Assess
    expect(found).toEqual(['api.example.com A in Z1: record pair missing']);
  });

  it('a pair the run does not expect at all is reported', () => {
    // Act
    const found = foreignDrift(
      [
        pairWith({ blue: 90, green: 10 }, { hostedZoneId: 'Z1' }),
        pairWith({ blue: 90, green: 10 }, { hostedZoneId: 'Z9' }),
      ],
      [weights(90, 10, 'Z1')],
      null
    );

    // Assess
    expect(found).toEqual(['api.example.com A in Z9: not expected']);
  });
});
