import { describe, expect, it } from 'vitest';
import { planRecovery, type RecoveryFacts } from '../../../functions/core/recovery.ts';

const facts = (overrides: Partial<RecoveryFacts>): RecoveryFacts => ({
  status: 'ABORTED',
  error: null,
  hasSnapshot: true,
  supersededBy: null,
  atSnapshot: false,
  observeOnly: false,
  ...overrides,
});

describe('Function: planRecovery', () => {
  it.each([
    {
      name: 'an aborted run away from its snapshot is restored',
      given: {},
      action: 'restore',
      reason: /ABORTED/,
    },
    {
      name: 'a timed-out run is restored',
      given: { status: 'TIMED_OUT' },
      action: 'restore',
      reason: /TIMED_OUT/,
    },
    {
      name: 'a run that failed uncaught is restored',
      given: { status: 'FAILED', error: 'States.Runtime' },
      action: 'restore',
      reason: /FAILED/,
    },
    {
      name: 'a running execution is left alone',
      given: { status: 'RUNNING' },
      action: 'skip',
      reason: /RUNNING/,
    },
    {
      name: 'a succeeded execution is left alone',
      given: { status: 'SUCCEEDED' },
      action: 'skip',
      reason: /SUCCEEDED/,
    },
    {
      name: 'a run without a snapshot never wrote',
      given: { hasSnapshot: false },
      action: 'skip',
      reason: /no snapshot/,
    },
    {
      name: 'an observe-mode run never wrote',
      given: { observeOnly: true },
      action: 'skip',
      reason: /observe/,
    },
    {
      name: 'an operator who asked to keep the weights keeps them',
      given: { error: 'KeepWeights' },
      action: 'skip',
      reason: /KeepWeights/,
    },
    {
      name: 'a run that already rolled back is settled',
      given: { status: 'FAILED', error: 'RolledBack' },
      action: 'skip',
      reason: /RolledBack/,
    },
    {
      name: 'a run stopped on drift leaves the other writer alone',
      given: { status: 'FAILED', error: 'StoppedOnDrift' },
      action: 'skip',
      reason: /StoppedOnDrift/,
    },
    {
      name: 'a newer run owns the records now',
      given: { supersededBy: 'arn:newer' },
      action: 'skip',
      reason: /superseded by arn:newer/,
    },
    {
      name: 'records already at the snapshot need nothing',
      given: { atSnapshot: true },
      action: 'skip',
      reason: /already equal/,
    },
  ] as const)('$name', ({ given, action, reason }) => {
    // Act
    const plan = planRecovery(facts(given as Partial<RecoveryFacts>));

    // Assess
    expect(plan.action).toBe(action);
    expect(plan.reason).toMatch(reason);
  });
});
