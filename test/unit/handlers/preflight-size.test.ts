/**
 * The run state travels through Step Functions (at most 262,144 bytes per state payload and execution input,
 * aws-facts §4.4; over it the run ends States.DataLimitExceeded, which no Catch sees) and its snapshot is
 * stored in the registry entry (DynamoDB item, at most 400 KB). 50 pairs whose records each carry many
 * values pass every Route 53 rule but not these limits: Preflight must refuse them clearly and release.
 */
import { describe, expect, it } from 'vitest';
import type { WeightedPair } from '../../../functions/core/types.ts';
import { preflight } from '../../../functions/handlers/preflight.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import { draft, pairWith, record } from '../core/fixtures.ts';

const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:ts';
const SELF = 'arn:aws:states:us-east-1:123456789012:execution:ts:self';
const PAIRS = 50;
const VALUES = 150;

const zoneOf = (i: number) => `Z00000000000${String(i).padStart(2, '0')}`;
const values = (side: number) =>
  Array.from({ length: VALUES }, (_, v) => ({ Value: `10.${side}.${v >> 8}.${v & 255}` }));

function bigPair(i: number): WeightedPair {
  return {
    ...pairWith({ blue: 100, green: 0 }, { hostedZoneId: zoneOf(i) }),
    blue: record('blue', 100, { ResourceRecords: values(1) }),
    green: record('green', 0, { ResourceRecords: values(2) }),
  };
}

describe('Handler: preflight (payload size)', () => {
  it('refuses a snapshot too large for the Step Functions state and the registry item, releasing the records', async () => {
    // Prepare
    const input = {
      ...draft(),
      records: Array.from({ length: PAIRS }, (_, i) => ({
        ...draft().records[0]!,
        hostedZoneId: zoneOf(i),
      })),
    };
    const executions = new FakeExecutions();
    executions.add({ executionArn: SELF, input, startDate: '2026-01-01T00:00:00.000Z' });
    const router = new FakeRouter(Array.from({ length: PAIRS }, (_, i) => bigPair(i)));
    const registry = new FakeRegistry();

    // Act
    const attempt = preflight(
      {
        input,
        executionArn: SELF,
        executionName: 'self',
        stateMachineArn: SM,
        startTime: '2026-01-01T00:00:00.000Z',
      },
      { router, metrics: new FakeMetrics(), executions, clock: new FakeClock(), registry }
    );

    // Assess
    await expect(attempt).rejects.toMatchObject({
      name: 'PreflightFailedError',
      message: expect.stringMatching(/run state of \d+ bytes.*262144/),
    });
    expect(registry.entries.get('orders')?.phase).toBe('released');
    expect(registry.locks.size).toBe(0);
  });
});
