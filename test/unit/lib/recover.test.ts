/**
 * recoverEntry over several reconciler passes: a restore that waits out a write in flight must finish once
 * that write can no longer land, however often the reconciler runs (ReconcileRate is a template parameter).
 */
import { describe, expect, it } from 'vitest';
import { recordSetKey } from '../../../functions/core/names.ts';
import { type MigrationEntry, MigrationPhase } from '../../../functions/core/registry.ts';
import { snapshotWeights } from '../../../functions/core/weights.ts';
import { reconcile } from '../../../functions/handlers/reconcile.ts';
import { DEFAULT_IN_FLIGHT_SECONDS } from '../../../functions/lib/recover.ts';
import { FakeClock, FakeExecutions, FakeRegistry, FakeRouter } from '../../support/fake-ports.ts';
import { pairWith } from '../core/fixtures.ts';

const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:ts:stopped';

describe('recoverEntry: a write in flight at the stop', () => {
  it('is waited out once: frequent reconciler passes do not keep re-announcing the restore and never finish', async () => {
    // Prepare: a shift to 50 % was announced (pending) when the execution was stopped.
    const clock = new FakeClock('2026-01-01T00:00:00.000Z');
    const registry = new FakeRegistry(clock);
    const snapshot = [pairWith({ blue: 100, green: 0 })];
    const entry: MigrationEntry = {
      migrationId: 'orders',
      phase: MigrationPhase.Running,
      executionArn: EXECUTION,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
      runner: { kind: 'step-functions' },
      generation: 1,
      recordSetKeys: [recordSetKey(snapshot[0]!)],
      records: [
        {
          hostedZoneId: 'Z1',
          name: 'api.example.com',
          type: 'A',
          blueSetIdentifier: 'blue',
          greenSetIdentifier: 'green',
        },
      ],
      mode: 'shift',
      onDrift: 'stop',
      snapshot,
      expected: [{ ...snapshotWeights(snapshot)[0]!, blueWeight: 90, greenWeight: 10 }],
      pending: [{ ...snapshotWeights(snapshot)[0]!, blueWeight: 50, greenWeight: 50 }],
      startedAt: clock.now().toISOString(),
      updatedAt: clock.now().toISOString(),
      reason: null,
      version: 1,
    };
    registry.entries.set('orders', entry);
    registry.locks.set(entry.recordSetKeys[0]!, 'orders');
    const executions = new FakeExecutions();
    executions.add({ executionArn: EXECUTION, status: 'ABORTED' });
    const router = new FakeRouter([pairWith({ blue: 50, green: 50 })]);
    const deps = { router, executions, registry, clock, sleep: async () => undefined };

    // Act: the reconciler every minute for twice the in-flight time.
    for (let second = 60; second <= 2 * DEFAULT_IN_FLIGHT_SECONDS; second += 60) {
      clock.advance(60);
      await reconcile(deps);
    }

    // Assess
    expect(registry.entries.get('orders')).toMatchObject({ phase: MigrationPhase.Restored });
    expect(registry.locks.size).toBe(0);
    expect(router.pairs[0]).toMatchObject({ blue: { Weight: 100 }, green: { Weight: 0 } });
  });
});
