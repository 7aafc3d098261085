/**
 * The RunState after a judged look: the core's decision and cadence (core/run.ts afterEvaluation), then the
 * operator's control, a held gate's reject or deadline (core/gates.ts) and blue's drain (core/blue-drained.ts),
 * in that order. Separate from the handler so EvaluateMetrics only reads, calls this, logs and returns; and from
 * judge-window.ts, which reads and judges but never decides.
 */
import { blueDrainedFrom } from '../core/blue-drained.ts';
import { rollbackAtHeldGate } from '../core/gates.ts';
import { afterEvaluation } from '../core/run.ts';
import type { RunState } from '../core/state.ts';
import type { Evaluation, MetricReading, TimeWindow } from '../core/types.ts';
import type { Folded } from './judge-window.ts';
import { type OperatorState, withControl } from './operator-control.ts';

export function evaluatedRunState(args: {
  state: RunState;
  judged: Evaluation | Folded;
  operator: OperatorState;
  /** The look's window (null: no new complete window, or not judged). */
  window: TimeWindow | null;
  /** What a judged look read of blue (null: not read). */
  seenBlue: MetricReading | null;
  now: Date;
}): RunState {
  const { state, judged, operator, window, now } = args;
  const control = operator === 'unknown' ? 'unknown' : operator.control;
  const evaluation = 'folded' in judged ? judged.evaluation : judged;
  // An operator request or an open gate can act at any minute: keep looking every minute (core/cadence.ts).
  const operatorPending =
    operator === 'unknown' ||
    (operator.control !== null &&
      (operator.control.pause !== null || operator.control.promote !== null)) ||
    (operator.gate !== undefined && operator.gate.closedAt === null);
  const base = 'folded' in judged ? judged.folded : state;
  const refoldThrough = 'folded' in judged ? judged.refoldThrough : undefined;
  const controlled = withControl(
    afterEvaluation(base, evaluation, now, operatorPending, refoldThrough),
    control,
    now
  );
  // A reject or a rollback deadline of a gate the run holds at is taken now (core/gates.ts).
  const gated =
    operator === 'unknown' || controlled.decision === null
      ? controlled
      : {
          ...controlled,
          decision: rollbackAtHeldGate(operator.gate, controlled.decision, now),
        };
  // Only a look that read blue can find it drained (`seenBlue`; core/blue-drained.ts).
  const drainedFrom =
    window === null
      ? (state.status.blueDrainedFrom ?? null)
      : blueDrainedFrom({
          status: state.status,
          blue: args.seenBlue,
          window,
          minRequests: state.input.thresholds.minRequests,
        });
  return drainedFrom === (gated.status.blueDrainedFrom ?? null)
    ? gated
    : { ...gated, status: { ...gated.status, blueDrainedFrom: drainedFrom } };
}
