/**
 * Our policy, driven in virtual time through the REAL core: `newRunState`, `afterShift`, `afterSyncCheck`,
 * `evaluationWindow`, `evaluate` and `afterEvaluation` (which calls `decide`) are the functions the handlers
 * call; this file only plays the state machine's loop (ShiftTraffic -> WaitForDnsSync/CheckDnsSync ->
 * Bake/EvaluateMetrics/Decide) and the handlers' I/O against the simulated world. Nothing of the policy is
 * re-implemented here.
 */

import { foldEnds, foldMinutes } from '../../functions/core/cadence-fold.ts';
import { type MigrationInputDraft, parseMigrationInput } from '../../functions/core/input.ts';
import { awaitPublication, lookSettings } from '../../functions/core/publication.ts';
import {
  afterEvaluation,
  afterShift,
  afterSyncCheck,
  newRunState,
  shiftTarget,
} from '../../functions/core/run.ts';
import type { RunState } from '../../functions/core/state.ts';
import {
  type Evaluation,
  type TimeWindow,
  Verdict,
  type WeightedPair,
} from '../../functions/core/types.ts';
import { backlogStart, evaluate } from '../../functions/core/verdict.ts';
import { percentOf, weightsFor } from '../../functions/core/weights.ts';
import { evaluationWindow } from '../../functions/core/window.ts';
import type { World } from '../traffic.ts';
import { type Policy, type PolicyRun, rollBack, SIMULATION_CAP_MS } from './policy.ts';

export const GREEN_NAME = 'orders';
export const BLUE_NAME = 'orders-appmesh';

/** The reference migration of issue 6, everything else at the schema defaults (input.ts). */
export function referenceInput(overrides: Partial<MigrationInputDraft> = {}): MigrationInputDraft {
  return {
    migrationId: 'bench',
    records: [
      {
        hostedZoneId: 'Z0BENCH',
        name: 'api.example.com',
        type: 'A',
        blueSetIdentifier: 'blue',
        greenSetIdentifier: 'green',
      },
    ],
    plan: {
      steps: [1, 5, 10, 25, 50, 75, 100],
      bakeSeconds: 600,
      evaluationIntervalSeconds: 60,
      finalBakeSeconds: 600,
    },
    metrics: { greenDiscoveryNames: [GREEN_NAME], blueDiscoveryNames: [BLUE_NAME] },
    ...overrides,
  };
}

/** A 100 % blue weighted pair with TTL 60 s, as preflight would snapshot it. */
function snapshotPair(): WeightedPair {
  const record = (side: 'blue' | 'green', weight: number, value: string) => ({
    Name: 'api.example.com',
    Type: 'A',
    SetIdentifier: side,
    Weight: weight,
    TTL: 60,
    ResourceRecords: [{ Value: value }],
  });
  return {
    hostedZoneId: 'Z0BENCH',
    name: 'api.example.com',
    type: 'A',
    blue: record('blue', 100, '192.0.2.10'),
    green: record('green', 0, '198.51.100.20'),
  };
}

/** The rollback trigger named by decide's reason (`failures (3) > maxFailures (2); …`). */
function triggerOf(reason: string): string {
  if (reason.startsWith('sequential test:')) return 'sequential-test';
  const match = /^(failures|consecutive failures|consecutive errors|inconclusive streak) \(/.exec(
    reason
  );
  return match?.[1]?.replace(/ /g, '-') ?? 'other';
}

/** Service Connect's evaluation of `window` with the cursor and tests of `status`, read from the world at `nowMs`. */
function judgeWindow(
  state: RunState,
  status: RunState['status'],
  window: TimeWindow,
  world: World,
  nowMs: number
): Evaluation {
  const { metrics } = state.input;
  const read = (
    side: 'green' | 'blue',
    names: readonly { discoveryName: string }[],
    w: TimeWindow
  ) => ({
    kind: 'ok' as const,
    services: names.map((target) => world.sample(side, target.discoveryName, w, nowMs)),
  });
  const blueNames = metrics.blueDiscoveryNames ?? [];
  const from = backlogStart(status.sequential, window, metrics.windowSeconds);
  return evaluate(
    read('green', metrics.greenDiscoveryNames, window),
    blueNames.length === 0 ? null : read('blue', blueNames, window),
    state.input,
    window,
    status.blueLatency,
    status.sequential ?? null,
    from === null
      ? null
      : read('green', metrics.greenDiscoveryNames, { start: from, end: window.start })
  );
}

const NOT_JUDGED_YET: Evaluation = {
  verdict: Verdict.Inconclusive,
  reason:
    'no new complete metric window yet (since the step became judgeable or since the last judged window)',
  assessments: [],
  window: null,
};

/**
 * What EvaluateMetrics does (handlers/evaluate-metrics.ts), with the world as the metric source: the
 * evaluation with the state to fold it into (after a quiet wait, the minutes before the last judged one by
 * one: core/cadence-fold.ts), or the polled state when green's newest minute is not published yet.
 */
function evaluateAt(
  state: RunState,
  world: World,
  nowMs: number
): { base: RunState; evaluation: Evaluation } | RunState {
  const now = new Date(nowMs);
  const window = evaluationWindow(now, state.status, lookSettings(state));
  if (window === null) return { base: state, evaluation: NOT_JUDGED_YET };
  const green = {
    kind: 'ok' as const,
    services: state.input.metrics.greenDiscoveryNames.map((target) =>
      world.sample('green', target.discoveryName, window, nowMs)
    ),
  };
  const polled = awaitPublication(state, window, green, now);
  if (polled !== null) return polled;
  const ends = foldEnds(state.cadence, window, state.input);
  const folded = foldMinutes(state, ends, now, (status, minuteWindow) =>
    minuteWindow === null ? NOT_JUDGED_YET : judgeWindow(state, status, minuteWindow, world, nowMs)
  );
  return { base: folded.state, evaluation: folded.evaluation };
}

/**
 * Probe hook (bench/regime-cap.ts), not a policy setting: per run, the `thresholds.minEvidenceMinutes` the
 * core is given at each look (`nowMs`), from what the run could have read by then.
 */
export type EvidenceMinutesRule = (world: World, startMs: number) => (nowMs: number) => number;

/** `state` with the core's `minEvidenceMinutes` set to `minutes` (the same state when it already is). */
function withEvidenceMinutes(state: RunState, minutes: number): RunState {
  if (state.input.thresholds.minEvidenceMinutes === minutes) return state;
  return {
    ...state,
    input: {
      ...state.input,
      thresholds: { ...state.input.thresholds, minEvidenceMinutes: minutes },
    },
  };
}

export function oursPolicy(
  name: string,
  draft: MigrationInputDraft,
  evidenceMinutes?: EvidenceMinutesRule
): Policy {
  const input = parseMigrationInput(draft);
  const { plan, metrics, thresholds, limits, dns } = input;
  const parameters = [
    `plan: steps ${(plan.steps ?? []).join(', ')}; bake ${plan.bakeSeconds} s; evaluation every ${plan.evaluationIntervalSeconds} s; final bake ${plan.finalBakeSeconds} s`,
    `metrics: overall error rates by the sequential test (false alarms <= ${thresholds.falseAlarmRate} per 1,440 min, >= ${thresholds.minEvidenceMinutes} min of evidence, the shift's ramp minutes included); windows for latency and per-name rates (from where the last Pass/Fail ended, growing up to ${metrics.windowSeconds} s); period ${metrics.periodSeconds} s; each minute looked for ${metrics.earliestPublicationSeconds} s after it ends, then every ${metrics.publicationPollSeconds} s until ${metrics.publicationDelaySeconds} s; looks every minute, or every up to ${thresholds.minEvidenceMinutes} min while no check can act on the minutes in between (each minute still judged, core/cadence.ts); green ${metrics.greenDiscoveryNames.map((t) => t.discoveryName).join(', ')}, blue baseline ${(metrics.blueDiscoveryNames ?? []).map((t) => t.discoveryName).join(', ') || 'none'}`,
    `thresholds: errorRate <= ${thresholds.errorRateMaxPercent} %, minRequests ${thresholds.minRequests} to pass, window checks at Wilson ${thresholds.confidence}, baseline max(blue x ${thresholds.baseline.errorRateMaxRatio}, blue + ${thresholds.baseline.errorRateMinDeltaPercent} %) and latency max(blue x ${thresholds.baseline.latencyAvgMaxRatio}, blue + ${thresholds.baseline.latencyAvgMinDeltaMs} ms)`,
    `limits (window checks): maxFailures ${limits.maxFailures}, maxConsecutiveFailures ${limits.maxConsecutiveFailures}, maxInconclusive ${limits.maxInconclusive} -> ${limits.onInconclusiveLimit}; DNS poll every ${dns.syncPollSeconds} s`,
  ];
  return {
    name,
    parameters,
    run(world: World, startMs: number): PolicyRun {
      const identity = {
        executionArn: 'arn:aws:states:us-east-1:123456789012:execution:traffic-shift:bench',
        executionName: 'bench',
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:traffic-shift',
        startedAt: new Date(startMs).toISOString(),
        generation: 1,
        continuedFrom: null,
      };
      let state: RunState = newRunState(input, identity, [snapshotPair()]);
      const evidenceMinutesAt = evidenceMinutes?.(world, startMs);
      let t = startMs;
      let judgements = 0;
      for (;;) {
        // ShiftTraffic: weights from the core, one write.
        const target = shiftTarget(state);
        const weights = state.snapshot.map((pair) => weightsFor(pair, target));
        world.write(t, percentOf(weights[0] as (typeof weights)[number]));
        const writtenAt = t;
        state = afterShift(state, target, weights, ['/change/CBENCH'], new Date(t));
        // WaitForDnsSync -> CheckDnsSync until INSYNC.
        for (;;) {
          t += state.waitSeconds * 1_000;
          const synced = world.inSync(writtenAt, t);
          state = afterSyncCheck(state, synced, new Date(t));
          if (synced) break;
        }
        // Bake -> EvaluateMetrics -> Decide until the decision leaves the loop.
        for (;;) {
          t += state.waitSeconds * 1_000;
          if (t - startMs > SIMULATION_CAP_MS) {
            return {
              outcome: 'held',
              decidedAtMs: t,
              rollbackCompleteMs: null,
              trigger: null,
              reason: state.decision?.reason ?? '',
              judgements,
            };
          }
          if (evidenceMinutesAt !== undefined)
            state = withEvidenceMinutes(state, evidenceMinutesAt(t));
          const judged = evaluateAt(state, world, t);
          if ('input' in judged) {
            // A look that found the newest minute unpublished: a metric read, no verdict.
            state = judged;
            judgements += 1;
            continue;
          }
          state = afterEvaluation(judged.base, judged.evaluation, new Date(t));
          judgements += 1;
          const decision = state.decision;
          if (decision === null) throw new Error('afterEvaluation returned no decision');
          if (decision.action === 'rollback')
            return rollBack(world, t, triggerOf(decision.reason), decision.reason, judgements);
          if (decision.action === 'complete') {
            return {
              outcome: 'completed',
              decidedAtMs: t,
              rollbackCompleteMs: null,
              trigger: null,
              reason: decision.reason,
              judgements,
            };
          }
          if (decision.action === 'advance') break;
        }
      }
    },
  };
}
