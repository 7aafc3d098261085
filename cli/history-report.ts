/**
 * Rebuilds a run report from a deployed execution's history (GetExecutionHistory): the RunState every
 * Task returned is in its TaskSucceeded event (`lambda:invoke` wraps it as `{"Payload": <RunState>, ...}`),
 * so the same TimelineRecorder that watches a local run can replay a real one.
 */
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import {
  runStateFromHistory,
  runStateFromOutput,
} from '../functions/adapters/step-functions-history.ts';
import { KEEP_WEIGHTS_ERROR } from '../functions/core/recovery.ts';
import { continuationName } from '../functions/core/run-end.ts';
import type { ExecutionStatus, RunState } from '../functions/core/state.ts';
import type { WeightedPair } from '../functions/core/types.ts';
import { isAtSnapshot } from '../functions/core/weights.ts';
import { ExitCode, outcomeOf, type RunReport, TimelineRecorder } from './rehearsal.ts';

/** GetExecutionHistory returns at most 1,000 events per page; a history holds at most 25,000. */
const PAGE_SIZE = 1_000;
const MAX_PAGES = 30;
/** Continuations followed at most (each is a fresh 25,000-event history). */
const MAX_CHAIN = 50;

export interface ExecutionHistory {
  executionArn: string;
  events: HistoryEvent[];
}

/** Every event of one execution, oldest first, with the data (inputs and outputs) included. */
export async function fetchHistory(
  client: SFNClient,
  executionArn: string
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await client.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: PAGE_SIZE,
        reverseOrder: false,
        includeExecutionData: true,
        ...(nextToken ? { nextToken } : {}),
      })
    );
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  return events;
}

function iso(date: Date | string | undefined): string | null {
  if (date === undefined) return null;
  const parsed = new Date(date);
  return Number.isNaN(parsed.getTime()) ? null : parsed.toISOString();
}

/** `arn:...:stateMachine:sm` + `name` -> `arn:...:execution:sm:name`. */
function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** The snapshot's records with the weights a run last wrote (`expected`). */
export function withWeights(snapshot: readonly WeightedPair[], state: RunState): WeightedPair[] {
  return snapshot.map((pair) => {
    const weights = state.expected.find(
      (expected) =>
        expected.hostedZoneId === pair.hostedZoneId &&
        expected.name === pair.name &&
        expected.type === pair.type
    );
    if (weights === undefined) return pair;
    return {
      ...pair,
      blue: { ...pair.blue, Weight: weights.blueWeight },
      green: { ...pair.green, Weight: weights.greenWeight },
    };
  });
}

interface EndOfExecution {
  status: Exclude<ExecutionStatus, 'PENDING_REDRIVE'>;
  error: string | null;
  cause: string | null;
  at: string | null;
}

function endOf(events: readonly HistoryEvent[]): EndOfExecution {
  for (const event of [...events].reverse()) {
    const at = iso(event.timestamp);
    switch (event.type) {
      case 'ExecutionSucceeded':
        return { status: 'SUCCEEDED', error: null, cause: null, at };
      case 'ExecutionFailed':
        return {
          status: 'FAILED',
          error: event.executionFailedEventDetails?.error ?? null,
          cause: event.executionFailedEventDetails?.cause ?? null,
          at,
        };
      case 'ExecutionAborted':
        return {
          status: 'ABORTED',
          error: event.executionAbortedEventDetails?.error ?? null,
          cause: event.executionAbortedEventDetails?.cause ?? null,
          at,
        };
      case 'ExecutionTimedOut':
        return {
          status: 'TIMED_OUT',
          error: event.executionTimedOutEventDetails?.error ?? 'States.Timeout',
          cause: event.executionTimedOutEventDetails?.cause ?? null,
          at,
        };
      default:
    }
  }
  return { status: 'RUNNING', error: null, cause: null, at: null };
}

export interface HistoryReportOptions {
  /** Weights read from Route 53 now; without them the report shows the weights the run last wrote. */
  currentPairs?: WeightedPair[];
}

/**
 * Turns the histories of an execution and its continuations (oldest first) into a RunReport.
 *
 * @throws Error when no history holds an ExecutionStarted event.
 */
export function reportFromHistories(
  histories: readonly ExecutionHistory[],
  options: HistoryReportOptions = {}
): RunReport {
  const first = histories[0];
  const last = histories.at(-1);
  if (first === undefined || last === undefined) throw new Error('no execution history');
  const recorder = new TimelineRecorder();
  let startedAt: string | null = null;
  let lastAt: string | null = null;
  let stateTransitions = 0;
  let historyEvents = 0;
  let input: { migrationId?: string } | null = null;
  for (const history of histories) {
    historyEvents += history.events.length;
    let task: string | undefined;
    for (const event of history.events) {
      const at: string = iso(event.timestamp) ?? lastAt ?? new Date(0).toISOString();
      lastAt = at;
      const type = event.type ?? '';
      if (type === 'ExecutionStarted') {
        startedAt ??= at;
        if (input === null) {
          try {
            input = JSON.parse(event.executionStartedEventDetails?.input ?? 'null') as {
              migrationId?: string;
            } | null;
          } catch {
            input = null;
          }
        }
      }
      if (type.endsWith('StateEntered')) {
        stateTransitions += 1;
        if (type === 'TaskStateEntered') task = event.stateEnteredEventDetails?.name;
      }
      if (type === 'TaskSucceeded' || type === 'LambdaFunctionSucceeded') {
        const output =
          type === 'TaskSucceeded'
            ? event.taskSucceededEventDetails?.output
            : event.lambdaFunctionSucceededEventDetails?.output;
        const state = runStateFromOutput(output);
        if (state !== null && task !== undefined) {
          recorder.record({
            type: 'task-succeeded',
            executionArn: history.executionArn,
            state: task,
            at,
            output: state,
          });
        }
      }
      if (type === 'TaskFailed' && task !== undefined) {
        recorder.record({
          type: 'task-failed',
          executionArn: history.executionArn,
          state: task,
          at,
          error: event.taskFailedEventDetails?.error ?? 'unknown',
          cause: event.taskFailedEventDetails?.cause ?? '',
        });
      }
    }
  }
  const end = endOf(last.events);
  const state = recorder.lastState;
  const snapshot = state?.snapshot ?? [];
  const rolledBack = state?.outcome?.result === 'rolled-back';
  const finalPairs =
    options.currentPairs ??
    (state === null ? [] : rolledBack ? snapshot : withWeights(snapshot, state));
  const endedAt = end.at ?? lastAt ?? startedAt ?? new Date(0).toISOString();
  let { outcome, exitCode, reason } =
    end.status === 'RUNNING'
      ? {
          outcome: 'running' as const,
          exitCode: ExitCode.Completed,
          reason: 'the execution is still running',
        }
      : outcomeOf({ status: end.status, error: end.error, cause: end.cause, output: state });
  if (end.status === 'ABORTED') {
    recorder.markers.push({ at: endedAt, kind: 'abort', label: 'aborted' });
    const onEnd =
      end.error === KEEP_WEIGHTS_ERROR
        ? `on-execution-end: stopped with ${KEEP_WEIGHTS_ERROR}, the weights stay as they are`
        : 'on-execution-end: restores the snapshot unless the records already equal it or a newer run owns them';
    reason = `execution stopped${end.error ? ` with ${end.error}` : ''}${end.cause ? ` (${end.cause})` : ''}; ${onEnd}`;
  }
  if (end.status === 'TIMED_OUT')
    reason = `execution timed out; on-execution-end: restores the snapshot unless the records already equal it`;
  if (options.currentPairs === undefined && state !== null && end.status !== 'RUNNING') {
    reason += rolledBack
      ? ''
      : '; weights as the run last wrote them (pass --read-weights to read Route 53)';
  }
  const migrationId =
    state?.input.migrationId ?? input?.migrationId ?? last.executionArn.split(':').at(-1) ?? '';
  return {
    title: `traffic-shift: ${migrationId}`,
    migrationId,
    executionArn: first.executionArn,
    outcome,
    exitCode,
    reason,
    startedAt: startedAt ?? endedAt,
    endedAt,
    timeline: recorder.timeline,
    markers: recorder.markers,
    limits: {
      errorRateMaxPercent: state?.input.thresholds.errorRateMaxPercent ?? 1,
      latencyAvgMaxMs: state?.input.thresholds.latencyAvgMaxMs ?? null,
      ...(state ? { minRequests: state.input.thresholds.minRequests } : {}),
    },
    snapshot,
    finalPairs,
    atSnapshot: snapshot.length > 0 && finalPairs.length > 0 && isAtSnapshot(finalPairs, snapshot),
    historyEvents,
    stateTransitions,
    plannedSteps: state?.steps ?? [],
    clock: 'real',
    waits: recorder.waits,
    deployed: true,
  };
}

/**
 * Reads the history of an execution, and of each continuation it handed over to, and builds its report.
 *
 * @example
 * const report = await historyReport(new SFNClient({}), executionArn);
 * writeReport(report, 'reports/orders-api.html');
 */
export async function historyReport(
  client: SFNClient,
  executionArn: string,
  options: HistoryReportOptions & { readPairs?: (state: RunState) => Promise<WeightedPair[]> } = {}
): Promise<RunReport> {
  const histories: ExecutionHistory[] = [];
  let current: string | null = executionArn;
  while (current !== null && histories.length < MAX_CHAIN) {
    const events = await fetchHistory(client, current);
    histories.push({ executionArn: current, events });
    const partial = reportFromHistories([{ executionArn: current, events }]);
    const last = lastRunState([{ executionArn: current, events }]);
    current =
      partial.outcome === 'completed' && last?.outcome?.result === 'continued'
        ? executionArnOf(last.run.stateMachineArn, continuationName(last))
        : null;
  }
  const state = lastRunState(histories);
  const currentPairs =
    options.currentPairs ??
    (options.readPairs && state ? await options.readPairs(state) : undefined);
  return reportFromHistories(histories, currentPairs === undefined ? {} : { currentPairs });
}

/** The newest state any Task of these executions returned, the newest execution first. */
function lastRunState(histories: readonly ExecutionHistory[]): RunState | null {
  for (const history of [...histories].reverse()) {
    const state = runStateFromHistory(history.events);
    if (state !== null) return state;
  }
  return null;
}
