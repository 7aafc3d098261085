/**
 * Pure transitions of the RunState between the states of the machine. Handlers do the I/O and call these,
 * so every state change can be replayed and tested without AWS.
 */
import { nextCadence } from './cadence.ts';
import { decide, initialStatus, statusForNewStep } from './decide.ts';
import { withGate } from './gates.ts';
import {
  addEvents,
  EVENTS_PER_EXTRA_SYNC_POLL,
  HISTORY_RESERVE,
  historyAfterEvaluation,
  historyAfterShift,
  initialHistory,
} from './history.ts';
import type { MigrationInput } from './input.ts';
import { expandSteps, nextGreenPercent, remainingSteps } from './plan.ts';
import { lagAfterJudged, lookSettings, nextLookSeconds, windowLagSeconds } from './publication.ts';
import type { RunIdentity, RunState } from './state.ts';
import { hookEventsPerShift } from './step-hooks.ts';
import type { Evaluation, PairWeights, WeightedPair } from './types.ts';
import { snapshotWeights, startGreenPercent } from './weights.ts';

/**
 * The TTL Route 53 serves for an alias to an AWS resource such as an ELB load balancer or an S3 website
 * endpoint: 60 s (Route 53 FAQ; DG "Choosing between alias and non-alias records"). An alias to a record in
 * the same zone serves that record's TTL instead, which the router resolves into `effectiveTtlSeconds`.
 */
export const ALIAS_TTL_SECONDS = 60;
/**
 * The longest time a resolver may keep serving the old weights after a change is INSYNC: the largest
 * effective TTL of any side (as resolved when the pair was read), else its TTL, else 60 s for an alias.
 *
 * @example
 * effectiveTtlSeconds([{ blue: { TTL: 30 }, green: { TTL: 30 } }]); // => 30
 * effectiveTtlSeconds([{ ...aliasPair, effectiveTtlSeconds: { blue: 3600, green: 3600 } }]); // => 3600
 */
export function effectiveTtlSeconds(
  pairs: readonly Pick<WeightedPair, 'blue' | 'green' | 'effectiveTtlSeconds'>[]
): number {
  return Math.max(
    0,
    ...pairs.flatMap((pair) => [
      pair.effectiveTtlSeconds?.blue ?? pair.blue.TTL ?? ALIAS_TTL_SECONDS,
      pair.effectiveTtlSeconds?.green ?? pair.green.TTL ?? ALIAS_TTL_SECONDS,
    ])
  );
}

/**
 * The state of a new run after a successful preflight.
 *
 * @example
 * newRunState(input, identity, snapshot); // => { next: 'shift', status: { stepIndex: -1, ... }, ... }
 */
export function newRunState(
  input: MigrationInput,
  run: RunIdentity,
  snapshot: WeightedPair[]
): RunState & { next: 'shift' } {
  const startPercent = startGreenPercent(snapshot);
  return {
    next: 'shift',
    input,
    steps: remainingSteps(expandSteps(input.plan), startPercent),
    run,
    snapshot,
    expected: snapshotWeights(snapshot),
    status: { ...initialStatus(), greenPercent: startPercent },
    change: { ids: [], submittedAt: null, synced: false },
    waitSeconds: 0,
    evaluation: null,
    decision: null,
    history: initialHistory(),
    outcome: null,
  };
}

/**
 * The state of a continuation (new execution, same run) after its preflight: it goes straight back to baking.
 *
 * @example
 * resumedRunState(previous, { executionArn, executionName, stateMachineArn }); // => { next: 'bake', ... }
 */
export function resumedRunState(
  previous: RunState,
  self: Pick<RunIdentity, 'executionArn' | 'executionName' | 'stateMachineArn'>
): RunState & { next: 'bake' } {
  return {
    ...previous,
    next: 'bake',
    run: { ...previous.run, ...self },
    waitSeconds: previous.input.plan.evaluationIntervalSeconds,
    history: initialHistory(),
    outcome: null,
  };
}

/**
 * The green percent the next shift moves to: the next step, or a later step the decision names (a promote
 * skips to 100 %, core/control.ts). Only a step of the plan above the current percent is ever taken.
 */
export function shiftTarget(state: RunState): number {
  const next = nextGreenPercent(state.steps, state.status.greenPercent);
  const asked = state.decision?.action === 'advance' ? state.decision.nextGreenPercent : undefined;
  return Math.max(next, ...state.steps.filter((step) => step === asked));
}

/**
 * The state after the weights of a new step were written (or, in observe mode, would have been).
 *
 * @example
 * afterShift(state, 10, weights, ['/change/C1'], now); // => { status: { greenPercent: 10, ... }, waitSeconds: 15, ... }
 */
export function afterShift(
  state: RunState,
  greenPercent: number,
  weights: PairWeights[],
  changeIds: string[],
  now: Date
): RunState {
  const stepIndex = state.steps.indexOf(greenPercent);
  // The step hook rounds before this shift are over: their events are counted at their worst case.
  // A new step's first look is set by the sync check, not by the previous step's cadence.
  const { hook: _hook, hookCall: _hookCall, cadence: _cadence, ...rest } = state;
  return {
    ...rest,
    expected: weights,
    status: statusForNewStep(state.status, stepIndex, greenPercent),
    change: { ids: changeIds, submittedAt: now.toISOString(), synced: false },
    waitSeconds: state.input.dns.syncPollSeconds,
    decision: null,
    history: addEvents(historyAfterShift(state.history), hookEventsPerShift(state.input.hooks)),
  };
}

/**
 * The state after polling the step's changes. Once all are INSYNC, judging starts one TTL later, and the first
 * evaluation waits for one full metric period to be published after that.
 *
 * @example
 * afterSyncCheck(state, true, now); // => { change: { synced: true }, status: { judgingFrom: now + TTL, windowFrom: now + TTL }, ... }
 */
export function afterSyncCheck(state: RunState, allInSync: boolean, now: Date): RunState {
  if (!allInSync) {
    return {
      ...state,
      waitSeconds: state.input.dns.syncPollSeconds,
      history: addEvents(state.history, EVENTS_PER_EXTRA_SYNC_POLL),
    };
  }
  const ttlSeconds = effectiveTtlSeconds(state.snapshot);
  const { periodSeconds } = state.input.metrics;
  const judgingFrom = new Date(now.getTime() + ttlSeconds * 1_000);
  // The first window starts at the first period boundary after judgingFrom and must be complete and published.
  const periodMs = periodSeconds * 1_000;
  const firstWindowStartMs = Math.ceil(judgingFrom.getTime() / periodMs) * periodMs;
  // The first look is at the lag the run learned (publication.ts), like every later one.
  const readyMs = firstWindowStartMs + periodMs + windowLagSeconds(lookSettings(state)) * 1_000;
  return {
    ...state,
    change: { ...state.change, synced: true },
    status: {
      ...state.status,
      syncedAt: now.toISOString(),
      judgingFrom: judgingFrom.toISOString(),
      // The first window of the step starts where its traffic does.
      windowFrom: judgingFrom.toISOString(),
    },
    waitSeconds: Math.ceil((readyMs - now.getTime()) / 1_000),
  };
}

/** Seconds since the step's change was submitted (the DNS sync timeout counts from there). */
export function secondsSinceSubmit(state: RunState, now: Date): number {
  return state.change.submittedAt === null
    ? 0
    : (now.getTime() - Date.parse(state.change.submittedAt)) / 1_000;
}

/**
 * Folds an evaluation into the state: counters, decision, next wait (the cadence: one minute, or k minutes
 * while no check can act on the minutes in between, core/cadence.ts) and history budget. `operatorPending`
 * (an operator request or an open gate, read by the handler) keeps the looks at one minute; `refoldThrough`
 * (a quiet look whose read of green failed) keeps the cadence's `through` there and looks again in a minute.
 *
 * @example
 * afterEvaluation(state, evaluation, now).decision; // => { action: 'observe', reason: '...' }
 */
export function afterEvaluation(
  state: RunState,
  evaluation: Evaluation,
  now: Date,
  operatorPending = false,
  refoldThrough?: string
): RunState {
  const { status, decision } = decide({
    status: state.status,
    evaluation,
    steps: state.steps,
    input: state.input,
    now,
  });
  const chosen = nextCadence({
    input: state.input,
    edge: state.edge,
    status,
    decision,
    window: evaluation.window,
    operatorPending,
    reach: evaluation.sequentialReach,
  });
  // A quiet look that could not read green: its minutes again in one minute, one by one (cadence-fold.ts).
  const cadence =
    refoldThrough === undefined
      ? chosen
      : {
          minutes: 1,
          through: refoldThrough,
          reason: "green's read failed at a quiet look: its minutes again, one by one",
          refold: true,
        };
  const { metrics, plan } = state.input;
  const publicationLag = lagAfterJudged(state, evaluation);
  // Stryker disable next-line ConditionalExpression: equivalent, `{ publicationLag: undefined }` only when nothing was learned, and every reader sees the same undefined (the state crosses Step Functions as JSON, which drops it)
  const learned = publicationLag === undefined ? {} : { publicationLag };
  // An advance to a gated step becomes a gate (core/gates.ts).
  return withGate(state, {
    ...state,
    status,
    evaluation,
    decision,
    cadence,
    ...learned,
    // Polling for publication: the next look is at the first look (at the learned lag) of the minute the
    // cadence names, not a fixed interval later.
    waitSeconds:
      metrics.publicationPollSeconds > 0
        ? nextLookSeconds(
            now,
            lookSettings(state),
            plan.evaluationIntervalSeconds * cadence.minutes,
            windowLagSeconds(lookSettings({ ...state, ...learned }))
          )
        : plan.evaluationIntervalSeconds * cadence.minutes,
    // Room for the hook rounds the next shift may need, besides the usual reserve.
    history: historyAfterEvaluation(
      state.history,
      HISTORY_RESERVE + hookEventsPerShift(state.input.hooks)
    ),
  });
}
