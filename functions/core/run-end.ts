/**
 * How an execution ends: the outcome it records, why it rolls back (from a decision or a caught error), or the
 * successor execution that continues the run before the history limit. Separate from run.ts, whose
 * transitions move a run forward between shifts and evaluations; these are only read at its last state.
 */
import type { Outcome, RunState } from './state.ts';

/**
 * The input of the successor execution that continues this run before the history limit.
 *
 * @example
 * continuationInput(state).resume.run.generation; // => state.run.generation + 1
 */
export function continuationInput(state: RunState): { resume: RunState } {
  return {
    resume: {
      ...state,
      run: {
        ...state.run,
        generation: state.run.generation + 1,
        continuedFrom: state.run.executionArn,
      },
      outcome: null,
    },
  };
}

/**
 * Execution names are at most 80 characters. Only this run's own suffix (`-c<generation>`, from generation 2)
 * is replaced, so a first execution a person named `orders-c2` continues as `orders-c2-c2`, never as itself.
 * A name someone else already used is refused by ContinueAsNew before the handover.
 */
export function continuationName(state: RunState): string {
  const suffix = `-c${state.run.generation + 1}`;
  const own = `-c${state.run.generation}`;
  const base =
    state.run.generation > 1 && state.run.executionName.endsWith(own)
      ? state.run.executionName.slice(0, -own.length)
      : state.run.executionName;
  return `${base.slice(0, 80 - suffix.length)}${suffix}`;
}

/** Marks the run's end. */
export function withOutcome(
  state: RunState,
  result: Outcome['result'],
  reason: string,
  now: Date
): RunState {
  return { ...state, outcome: { result, reason, at: now.toISOString() } };
}

/**
 * The message of a caught error. On AWS the Lambda integration's Cause is a JSON string
 * `{"errorType","errorMessage",...}`; the local interpreter passes the plain message.
 */
export function causeMessage(cause: string): string {
  try {
    const parsed: unknown = JSON.parse(cause);
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, `in` on a non-object throws a TypeError that the catch turns into the same plain-message result
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      return String((parsed as { errorMessage: unknown }).errorMessage);
    }
  } catch {
    // Not JSON: the local interpreter's plain message.
  }
  return cause;
}

/**
 * Why the run is rolling back: the decision's reason, or the error that was caught.
 *
 * @example
 * rollbackReason({ decision: { action: 'rollback', reason: 'failures (3) > maxFailures (2)' } }); // => that reason
 */
export function rollbackReason(state: Pick<RunState, 'decision' | 'error'>): string {
  if (state.error !== undefined) return `${state.error.Error}: ${causeMessage(state.error.Cause)}`;
  if (state.decision?.action === 'rollback') return state.decision.reason;
  return `unexpected decision ${state.decision?.action ?? '(none)'}: failing safe`;
}
