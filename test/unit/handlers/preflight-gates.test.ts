/**
 * Preflight and approval gates: the first shift follows Preflight, not an evaluation, so it can never wait at
 * a gate. When the records already stand past the plan's first step (a run resuming a manual shift), the first
 * remaining step may be a gated one: Preflight must refuse before any write instead of shifting past the gate.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { WeightedPair } from '../../../functions/core/types.ts';
import { preflight } from '../../../functions/handlers/preflight.ts';
import {
  FakeClock,
  FakeExecutions,
  FakeMetrics,
  FakeNotifier,
  FakeRegistry,
  FakeRouter,
} from '../../support/fake-ports.ts';
import { preflightEvent, TEST_EXECUTION_ARN } from '../../support/preflight-event.ts';
import { draft, pairWith } from '../core/fixtures.ts';

const ZONE = 'Z0123456789ABC';
const at = (green: number): WeightedPair =>
  pairWith({ blue: 100 - green, green }, { hostedZoneId: ZONE });

let router: FakeRouter;
let registry: FakeRegistry;
const deps = () => ({
  router,
  metrics: new FakeMetrics(),
  executions: new FakeExecutions(),
  clock: new FakeClock(),
  notifier: new FakeNotifier(),
  registry,
});

const gated = (beforeSteps: number[]) => ({
  ...draft(),
  plan: { steps: [10, 50, 100], gates: { beforeSteps } },
});

beforeEach(() => {
  router = new FakeRouter([at(0)]);
  registry = new FakeRegistry();
});

describe('preflight with plan.gates', () => {
  it.each([
    { green: 10, beforeSteps: [50], next: 50 },
    { green: 30, beforeSteps: [50], next: 50 },
    { green: 50, beforeSteps: [100], next: 100 },
  ])(
    'refuses records at $green% green when the first shift would be to the gated $next%, and releases the records',
    async ({ green, beforeSteps, next }) => {
      // Prepare
      router.pairs = [at(green)];

      // Act + Assess
      await expect(preflight(preflightEvent(gated(beforeSteps)), deps())).rejects.toMatchObject({
        name: 'PreflightFailedError',
        message: expect.stringMatching(
          new RegExp(`first shift would be to ${next}%, which plan\\.gates\\.beforeSteps gates`)
        ),
      });
      expect(registry.entries.get('orders')?.phase).toBe('released');
      expect(registry.locks.size).toBe(0);
      expect(router.writes).toHaveLength(0);
    }
  );

  it('starts a run whose first remaining step is not gated (the gate comes after an evaluation)', async () => {
    // Prepare
    router.pairs = [at(10)];

    // Act
    const state = await preflight(preflightEvent(gated([100])), deps());

    // Assess
    expect(state.next).toBe('shift');
    expect(state.steps).toEqual([50, 100]);
    expect(registry.entries.get('orders')?.executionArn).toBe(TEST_EXECUTION_ARN);
  });
});
