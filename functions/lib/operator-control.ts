/**
 * The operator's requests (pause, promote: core/control.ts) and the approval gate as EvaluateMetrics reads them
 * from the migration registry at every evaluation, and how they bend the judge's decision. Separate from the
 * handler because it is the one registry read of an evaluation and its failure mode (hold, never advance).
 */
import { type ControlState, controlledDecision } from '../core/control.ts';
import type { GateState } from '../core/gates.ts';
import type { MigrationRegistry } from '../core/registry.ts';
import type { RunState } from '../core/state.ts';
import { Action } from '../core/types.ts';
import { logger } from './powertools.ts';

/** What the registry entry says, or `unknown` when it could not be read. */
export type OperatorState =
  | { control: ControlState | null; gate: GateState | undefined }
  | 'unknown';

/**
 * The operator's requests (and the approval gate) for this migration, read at every evaluation. Unreadable
 * (registry busy or down): `unknown`, and the run holds rather than advance past a pause it cannot see.
 */
export async function readOperatorState(
  registry: Pick<MigrationRegistry, 'get'> | undefined,
  migrationId: string
): Promise<OperatorState> {
  if (registry === undefined) return { control: null, gate: undefined };
  try {
    const entry = await registry.get(migrationId);
    return { control: entry?.control ?? null, gate: entry?.gate };
  } catch (error) {
    logger.warn('control unreadable: holding instead of advancing', { migrationId, error });
    return 'unknown';
  }
}

/** The judge's decision after the operator's requests (design.md "Operator control"). */
export function withControl(
  state: RunState,
  control: ControlState | null | 'unknown',
  now: Date
): RunState {
  const decision = state.decision;
  if (decision === null || control === null || state.evaluation === null) return state;
  if (control === 'unknown') {
    if (decision.action !== Action.Advance && decision.action !== Action.Complete) return state;
    const reason = `operator control unreadable (migration registry): holding; ${decision.reason}`;
    return { ...state, decision: { action: Action.Hold, reason } };
  }
  const controlled = controlledDecision({
    decision,
    greenPercent: state.status.greenPercent,
    verdict: state.evaluation.verdict,
    control,
    now,
    gates: state.input.plan.gates,
  });
  return { ...state, decision: controlled };
}
