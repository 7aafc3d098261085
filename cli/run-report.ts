/** What a local run (rehearsal or run-local) reports: outcome, exit code, timeline, markers. */
import type { MigrationInput } from '../functions/core/input.ts';
import type { RunState } from '../functions/core/state.ts';
import type { WeightedPair } from '../functions/core/types.ts';
import { isAtSnapshot } from '../functions/core/weights.ts';
import type { Figure } from '../functions/lib/evaluation-figures.ts';
import type { ExecutionEnd } from './local-engine.ts';
import type { TimelineRecorder } from './timeline-recorder.ts';

/** Exit codes shared by `rehearse` and `run-local`. */
export const ExitCode = {
  Completed: 0,
  Error: 1,
  RolledBack: 2,
  Aborted: 3,
  InvalidInput: 4,
  StoppedOnDrift: 5,
  /** `rollback` of a finished migration whose records are not at its snapshot (nothing changed). */
  NotAtSnapshot: 6,
  /** Preflight refused the run (records owned by another migration, or not as the run needs them): nothing written. */
  Refused: 7,
  /** No such migration or execution (registry, Step Functions): every operator command. */
  UnknownMigration: 8,
  /** The migration is finished (completed, rolled back, restored, ...): nothing to control or answer. */
  MigrationFinished: 9,
  /** approve/reject: the migration is running but waits at no open gate (or its gate is already answered). */
  NoOpenGate: 10,
} as const;
/** The errors with which Preflight refuses a run before its first write (the PreflightFailed state). */
export const REFUSAL_ERRORS: readonly string[] = ['PreflightFailedError', 'RunLockedError'];
export type Outcome =
  | 'completed'
  | 'rolled-back'
  | 'aborted'
  | 'stopped-on-drift'
  | 'invalid-input'
  | 'refused'
  | 'failed'
  /** Only in a report rebuilt from the history of an execution that has not ended yet. */
  | 'running';

export interface TimelinePoint {
  /** Virtual time, ISO-8601. */
  at: string;
  state: string;
  greenPercent: number;
  /** Overall green error rate (percent) of this evaluation, when measured. */
  errorRatePercent: number | null;
  /** Green's overall average latency (the absolute check's value, else the baseline check's). */
  latencyAvgMs: number | null;
  verdict: string | null;
  action: string | null;
  reason: string | null;
  /** Requests behind the error rate. */
  requests?: number | null;
  /** The blue-relative limits of this evaluation (they move with blue), when a baseline is configured. */
  errorRateBaselineLimitPercent?: number | null;
  latencyBaselineLimitMs?: number | null;
  /**
   * Every measured figure of this evaluation, one per metric source, side and scope (the report plots blue
   * beside green, each discovery name and each source from these). Absent in reports written before it.
   */
  samples?: MetricSample[];
}

/** One measured figure of one evaluation: a check's value for one source, side and scope. */
export type MetricSample = Figure;

/** A wait of the state machine between two tasks, and what it waits for. */
export interface WaitSpan {
  at: string;
  until: string;
  /** `insync`: Route 53 propagating the change; `ttl`: resolvers' caches, a metric period and publication. */
  kind: 'insync' | 'ttl';
  what: string;
}

export interface RehearsalMarker {
  at: string;
  kind: 'shift' | 'rollback' | 'abort' | 'recovery' | 'complete';
  label: string;
}

export interface RunReport {
  title: string;
  migrationId: string;
  executionArn: string;
  outcome: Outcome;
  exitCode: number;
  reason: string;
  startedAt: string;
  endedAt: string;
  timeline: TimelinePoint[];
  markers: RehearsalMarker[];
  limits: {
    errorRateMaxPercent: number;
    latencyAvgMaxMs: number | null;
    /** Fewer requests than this in a window make it Inconclusive (why a low-traffic run holds). */
    minRequests?: number;
  };
  snapshot: WeightedPair[];
  finalPairs: WeightedPair[];
  atSnapshot: boolean;
  historyEvents: number;
  stateTransitions: number;
  /** The plan's green percents (from the run state), when known. */
  plannedSteps?: number[];
  /** Whose clock the times are on: a local run's virtual clock, or AWS's. */
  clock?: 'virtual' | 'real';
  /** The validated input the run used (defaults filled), and where it came from. */
  input?: MigrationInput;
  inputSource?: string;
  /** The state machine's waits (INSYNC, TTL and publication), when recorded. */
  waits?: WaitSpan[];
  /** Read back from a deployed execution's history (links to its console page); absent: a local run. */
  deployed?: boolean;
}

/** Where the run stands after a shift or an evaluation. */
export interface ProgressPosition {
  stepIndex: number;
  steps: number[];
  greenPercent: number;
  weights: RunState['expected'];
}

export interface ProgressEvent {
  at: string;
  message: string;
  point?: TimelinePoint;
  kind?:
    | 'start'
    | 'shift'
    | 'evaluation'
    | 'rollback'
    | 'complete'
    | 'recovery'
    | 'task-failed'
    | 'stop'
    | 'wait';
  position?: ProgressPosition;
  /** A `wait` event: when the wait ends (the next state runs). */
  until?: string;
}

/** Maps how an execution ended to an outcome and exit code. */
export function outcomeOf(end: Pick<ExecutionEnd, 'status' | 'error' | 'cause' | 'output'>): {
  outcome: Outcome;
  exitCode: number;
  reason: string;
} {
  if (end.status === 'SUCCEEDED')
    return {
      outcome: 'completed',
      exitCode: ExitCode.Completed,
      reason: end.output?.outcome?.reason ?? 'completed',
    };
  if (end.status === 'ABORTED')
    return { outcome: 'aborted', exitCode: ExitCode.Aborted, reason: 'execution stopped' };
  const reason = end.cause ?? end.error ?? end.status;
  if (end.error === 'RolledBack')
    return { outcome: 'rolled-back', exitCode: ExitCode.RolledBack, reason };
  if (end.error === 'StoppedOnDrift')
    return { outcome: 'stopped-on-drift', exitCode: ExitCode.StoppedOnDrift, reason };
  if (end.error === 'InvalidInputError' || reason.includes('InvalidInputError'))
    return { outcome: 'invalid-input', exitCode: ExitCode.InvalidInput, reason };
  if (end.error !== null && end.error !== undefined && REFUSAL_ERRORS.includes(end.error))
    return { outcome: 'refused', exitCode: ExitCode.Refused, reason };
  return { outcome: 'failed', exitCode: ExitCode.Error, reason };
}

/** What a finished local run (rehearsal or run-local) reports, from its executions and recorded timeline. */
export function runReportOf(run: {
  title: string;
  input: Pick<MigrationInput, 'migrationId' | 'thresholds'>;
  executionArn: string;
  ends: readonly ExecutionEnd[];
  recorder: TimelineRecorder;
  snapshot: WeightedPair[];
  finalPairs: WeightedPair[];
  now: Date;
  startedAt: string;
}): RunReport {
  const last = run.ends.at(-1) as ExecutionEnd;
  const { outcome, exitCode, reason } = outcomeOf(last);
  if (last.status === 'ABORTED') {
    run.recorder.markers.push({ at: run.now.toISOString(), kind: 'abort', label: 'aborted' });
  }
  return {
    title: run.title,
    migrationId: run.input.migrationId,
    executionArn: run.executionArn,
    outcome,
    exitCode,
    reason: last.recovery ? `${reason}; on-execution-end: ${last.recovery.reason}` : reason,
    startedAt: run.startedAt,
    endedAt: run.now.toISOString(),
    timeline: run.recorder.timeline,
    markers: run.recorder.markers,
    limits: {
      errorRateMaxPercent: run.input.thresholds.errorRateMaxPercent,
      latencyAvgMaxMs: run.input.thresholds.latencyAvgMaxMs ?? null,
      minRequests: run.input.thresholds.minRequests,
    },
    snapshot: run.snapshot,
    finalPairs: run.finalPairs,
    atSnapshot:
      run.snapshot.length > 0 &&
      run.finalPairs.length > 0 &&
      isAtSnapshot(run.finalPairs, run.snapshot),
    historyEvents: run.ends.reduce((sum, end) => sum + end.historyEvents, 0),
    stateTransitions: run.ends.reduce((sum, end) => sum + end.stateTransitions, 0),
    plannedSteps: run.recorder.lastState?.steps ?? [],
    waits: run.recorder.waits,
  };
}
