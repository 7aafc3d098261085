/**
 * What every simulated policy returns. Policies drive a `World` (bench/traffic.ts) in virtual time: they
 * write green's weight, read what CloudWatch has published, and decide; the world does the rest.
 */
import type { World } from '../traffic.ts';

export interface PolicyRun {
  outcome: 'completed' | 'rolled-back' | 'held';
  /** When the policy completed, decided to roll back, or (held) when the simulation gave up on it. */
  decidedAtMs: number;
  /** Rollback: the restore's write has taken full effect (INSYNC + TTL). */
  rollbackCompleteMs: number | null;
  /** What made it roll back: `failures`, `inconclusive-limit`, `alarm`, `failed-checks` ... */
  trigger: string | null;
  reason: string;
  /** Metric judgements made (evaluations, alarm evaluations, analysis ticks). */
  judgements: number;
}

export interface Policy {
  name: string;
  /** One line per parameter, printed with the results. */
  parameters: string[];
  run(world: World, startMs: number): PolicyRun;
}

/** Longest virtual time a policy may run before it counts as `held` (a run that waits forever). */
export const SIMULATION_CAP_MS = 12 * 3_600_000;

/** A rollback decided at `atMs`: write 0 % and report when it has taken full effect. */
export function rollBack(
  world: World,
  atMs: number,
  trigger: string,
  reason: string,
  judgements: number
): PolicyRun {
  world.write(atMs, 0);
  return {
    outcome: 'rolled-back',
    decidedAtMs: atMs,
    rollbackCompleteMs: world.effectiveAt(atMs),
    trigger,
    reason,
    judgements,
  };
}
