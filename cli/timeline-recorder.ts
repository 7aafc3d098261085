/** Turns the local engine's events into a report's timeline, markers and progress lines. */
import { lookSettings, windowLagSeconds } from '../functions/core/publication.ts';
import type { RunState } from '../functions/core/state.ts';
import type { Assessment } from '../functions/core/types.ts';
import { DEFAULT_SOURCE, figuresOf } from '../functions/lib/evaluation-figures.ts';
import type { EngineEvent } from './local-engine.ts';
import type {
  ProgressEvent,
  ProgressPosition,
  RehearsalMarker,
  TimelinePoint,
  WaitSpan,
} from './run-report.ts';

/**
 * Green's overall Service Connect assessment of a check: the chart's main line (other sources and blue are
 * drawn from the samples beside it). `source`/`side` absent mean Service Connect and green.
 */
const overallAssessment = (assessments: readonly Assessment[], check: string) =>
  (assessments as (Assessment & { source?: string; side?: string })[]).find(
    (assessment) =>
      assessment.check === check &&
      assessment.scope === 'overall' &&
      (assessment.source ?? DEFAULT_SOURCE) === DEFAULT_SOURCE &&
      (assessment.side ?? 'green') === 'green'
  );
const overall = (assessments: readonly Assessment[], check: string) =>
  overallAssessment(assessments, check)?.value ?? null;

function positionOf(state: RunState): ProgressPosition {
  return {
    stepIndex: state.status.stepIndex,
    steps: state.steps,
    greenPercent: state.status.greenPercent,
    weights: state.expected,
  };
}

/** Turns engine events into the timeline and markers of a report. */
export class TimelineRecorder {
  readonly timeline: TimelinePoint[] = [];
  readonly markers: RehearsalMarker[] = [];
  /** The state machine's waits after each shift (INSYNC, then TTL, a metric period and publication). */
  readonly waits: WaitSpan[] = [];
  /** The newest RunState a Task returned. */
  lastState: RunState | null = null;
  /**
   * Set once a stop is requested: a Task still running then finishes, but StopExecution discards its result
   * (the history ends with ExecutionAborted), so it is neither shown nor recorded.
   */
  stopped = false;
  private readonly onProgress: ((event: ProgressEvent) => void) | undefined;

  constructor(onProgress?: (event: ProgressEvent) => void) {
    this.onProgress = onProgress;
  }

  /** Shows a wait and records its span; a poll that finds the change still PENDING extends the span. */
  private wait(event: ProgressEvent, kind: WaitSpan['kind']): void {
    const previous = this.waits.at(-1);
    if (event.until !== undefined) {
      if (previous !== undefined && previous.kind === kind && previous.until >= event.at)
        previous.until = event.until;
      else this.waits.push({ at: event.at, until: event.until, kind, what: event.message });
    }
    this.onProgress?.(event);
  }

  record(event: EngineEvent): void {
    const state = event.output;
    if (event.type === 'task-succeeded' && state !== undefined && !this.stopped) {
      if (state !== null && Array.isArray(state.snapshot)) this.lastState = state;
      if (event.state === 'ShiftTraffic') {
        this.markers.push({ at: event.at, kind: 'shift', label: `${state.status.greenPercent}%` });
        this.onProgress?.({
          at: event.at,
          message: `shifted to ${state.status.greenPercent}% green (${weightsText(state)})`,
          kind: 'shift',
          position: positionOf(state),
        });
        this.wait(
          waitEvent(event.at, state, 'for Route 53 to report the change INSYNC (GetChange)'),
          'insync'
        );
      }
      if (event.state === 'CheckDnsSync') {
        const judgingFrom = state.status.judgingFrom;
        const ttlSeconds =
          judgingFrom === null || judgingFrom === undefined
            ? 0
            : Math.round((Date.parse(judgingFrom) - Date.parse(event.at)) / 1_000);
        const { periodSeconds } = state.input.metrics;
        this.wait(
          waitEvent(
            event.at,
            state,
            state.change.synced
              ? `INSYNC; waiting out the TTL (${ttlSeconds} s), one full ${periodSeconds} s metric period and ${windowLagSeconds(lookSettings(state))} s for its publication before the first evaluation`
              : 'not INSYNC yet; polling GetChange again'
          ),
          state.change.synced ? 'ttl' : 'insync'
        );
      }
      if (event.state === 'EvaluateMetrics' && state.evaluation !== null) {
        const point: TimelinePoint = {
          at: event.at,
          state: 'EvaluateMetrics',
          greenPercent: state.status.greenPercent,
          errorRatePercent: overall(state.evaluation.assessments, 'errorRate'),
          latencyAvgMs:
            overall(state.evaluation.assessments, 'latencyAvg') ??
            overall(state.evaluation.assessments, 'baselineLatencyAvg'),
          verdict: state.evaluation.verdict,
          action: state.decision?.action ?? null,
          reason: state.decision?.reason ?? state.evaluation.reason,
          requests:
            overallAssessment(state.evaluation.assessments, 'errorRate')?.sampleSize ?? null,
          errorRateBaselineLimitPercent:
            overallAssessment(state.evaluation.assessments, 'baselineErrorRate')?.limit ?? null,
          latencyBaselineLimitMs:
            overallAssessment(state.evaluation.assessments, 'baselineLatencyAvg')?.limit ?? null,
          samples: figuresOf(state.evaluation),
        };
        this.timeline.push(point);
        this.onProgress?.({
          at: event.at,
          message: `${point.verdict}: ${state.evaluation.reason} -> ${point.action}`,
          point,
          kind: 'evaluation',
          position: positionOf(state),
        });
      }
      if (event.state === 'Rollback') {
        this.markers.push({ at: event.at, kind: 'rollback', label: 'rollback' });
        this.onProgress?.({
          at: event.at,
          message: `rolled back: ${state.outcome?.reason ?? ''}`,
          kind: 'rollback',
          position: positionOf(state),
        });
      }
      if (event.state === 'Complete') {
        this.markers.push({ at: event.at, kind: 'complete', label: 'completed' });
        this.onProgress?.({
          at: event.at,
          message: `completed: ${state.outcome?.reason ?? ''}`,
          kind: 'complete',
          position: positionOf(state),
        });
      }
    }
    if (event.type === 'recovery' && event.recovery !== undefined) {
      this.markers.push({
        at: event.at,
        kind: 'recovery',
        label: event.recovery.restored ? 'snapshot restored' : 'nothing to restore',
      });
      this.onProgress?.({
        at: event.at,
        message: `on-execution-end: ${event.recovery.action} (${event.recovery.reason})`,
        kind: 'recovery',
      });
    }
    if (event.type === 'task-failed') {
      this.onProgress?.({
        at: event.at,
        message: `${event.state} failed: ${event.error}: ${event.cause}`,
        kind: 'task-failed',
      });
    }
  }
}

function waitEvent(at: string, state: RunState, what: string): ProgressEvent {
  return {
    at,
    message: what,
    kind: 'wait',
    until: new Date(Date.parse(at) + state.waitSeconds * 1_000).toISOString(),
  };
}

function weightsText(state: RunState): string {
  return state.expected
    .map((pair) => `${pair.name} blue ${pair.blueWeight} / green ${pair.greenWeight}`)
    .join(', ');
}
