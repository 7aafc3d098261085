/**
 * A run shifted to its first step and synced, with the clock moved to that step's first look: where the
 * handler tests of quiet looks, publication polling and the dashboard's per-minute lines start.
 */
import type { MigrationInput } from '../../functions/core/input.ts';
import { stepPercent } from '../../functions/core/plan.ts';
import { afterShift, afterSyncCheck, newRunState } from '../../functions/core/run.ts';
import type { RunState } from '../../functions/core/state.ts';
import type { PairWeights, WeightedPair } from '../../functions/core/types.ts';
import { weightsFor } from '../../functions/core/weights.ts';
import { pairWith } from '../unit/core/fixtures.ts';
import type { FakeClock } from './fake-ports.ts';

/**
 * `input`'s run at its first step (`input.plan.steps[0]`), INSYNC 60 s after the shift, `clock` at the first
 * look; `weights` are what the shift wrote to `pair`.
 */
export function syncedFirstStep(
  clock: FakeClock,
  input: MigrationInput,
  pair: WeightedPair = pairWith({ blue: 100, green: 0 })
): { state: RunState; weights: PairWeights[] } {
  const first = input.plan.steps?.[0] ?? 100;
  const percent = stepPercent(first);
  const identity = {
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ts:orders',
    executionName: 'orders',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ts',
    startedAt: clock.now().toISOString(),
    generation: 1,
    continuedFrom: null,
  };
  const started = newRunState(input, identity, [pair]);
  const weights = started.snapshot.map((one) => weightsFor(one, percent));
  const shifted = afterShift(started, percent, weights, ['/change/C1'], clock.now());
  clock.advance(60);
  const synced = afterSyncCheck(shifted, true, clock.now());
  clock.advance(synced.waitSeconds);
  return { state: synced, weights };
}
