/**
 * Step Functions implementation of the `ExecutionControl` port: describe, list, start and stop
 * executions, and recover the newest RunState from an execution's history.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandOutput,
  ListExecutionsCommand,
  type ListExecutionsCommandOutput,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { StepFunctionsBusyError, StepFunctionsRejectedError } from '../core/errors.ts';
import type {
  ExecutionControl,
  ExecutionDescription,
  ExecutionStatus,
  ExecutionSummary,
  RunState,
} from '../core/state.ts';

const BUSY_ERRORS = new Set([
  'ThrottlingException',
  'ServiceQuotaExceededException',
  'ServiceQuotaExceeded',
]);
const REJECTED_ERRORS = new Set([
  'ExecutionDoesNotExist',
  'InvalidArn',
  'StateMachineDoesNotExist',
  'AccessDenied',
  'AccessDeniedException',
  'ValidationException',
  'InvalidName',
  'InvalidExecutionInput',
  'ExecutionAlreadyExists',
]);

/** StopExecution limits: `error` up to 256 characters, `cause` up to 32,768 (API_StopExecution). */
const MAX_STOP_ERROR = 256;
const MAX_STOP_CAUSE = 32_768;

/** ListExecutions and GetExecutionHistory return at most 1,000 items per page. */
const PAGE_SIZE = 1_000;

/** A history holds at most 25,000 events: 25 pages of 1,000. */
const MAX_HISTORY_PAGES = 30;

/** Executions listed before giving up (100 pages of 1,000). */
const MAX_LIST_PAGES = 100;

/** The fields of a history event that {@link runStateFromHistory} reads (the SDK's `HistoryEvent` fits). */
export interface HistoryEventLike {
  id?: number | undefined;
  type?: string | undefined;
  taskSucceededEventDetails?: { output?: string | undefined } | undefined;
  lambdaFunctionSucceededEventDetails?: { output?: string | undefined } | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRunState(value: unknown): value is RunState {
  return isObject(value) && Array.isArray(value['snapshot']);
}

/**
 * Parses a Task's output into a RunState, or null. The `lambda:invoke` integration wraps the function
 * result (`{"Payload": {...}, "StatusCode": 200, "ExecutedVersion": ...}`); a plain Lambda ARN
 * resource does not. Both are accepted.
 *
 * @example
 * runStateFromOutput('{"Payload":{"snapshot":[]},"StatusCode":200}'); // { snapshot: [] }
 */
export function runStateFromOutput(output: string | undefined): RunState | null {
  if (output === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return null; // truncated or not JSON: not a state we can restore from
  }
  if (isRunState(parsed)) return parsed;
  if (isObject(parsed) && isRunState(parsed['Payload'])) return parsed['Payload'];
  return null;
}

/**
 * The RunState returned by the newest successful Task among `events` (any order; newest = highest id),
 * from `TaskSucceeded` (lambda:invoke) or `LambdaFunctionSucceeded` (plain Lambda ARN) events.
 *
 * @returns null when no Task returned an object with a `snapshot` array.
 * @example
 * const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
 * const state = runStateFromHistory(events ?? []);
 */
export function runStateFromHistory(events: readonly HistoryEventLike[]): RunState | null {
  // Highest id first; without ids, the given order is taken as newest first (what reverseOrder returns).
  const ordered = events.every((event) => event.id !== undefined)
    ? [...events].sort((a, b) => b.id! - a.id!)
    : events;
  for (const event of ordered) {
    const output =
      event.type === 'TaskSucceeded'
        ? event.taskSucceededEventDetails?.output
        : event.type === 'LambdaFunctionSucceeded'
          ? event.lambdaFunctionSucceededEventDetails?.output
          : undefined;
    const state = runStateFromOutput(output);
    if (state) return state;
  }
  return null;
}

function iso(date: Date | undefined): string | null {
  return date ? new Date(date).toISOString() : null;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text; // Step Functions input is JSON; keep anything else as it came
  }
}

/** Deep equality of parsed JSON, insensitive to object key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, i) => sameJson(item, b[i]))
    );
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => key in b && sameJson(a[key], b[key]))
    );
  }
  return a === b;
}

/** `arn:aws:states:r:a:stateMachine:sm` + `name` -> `arn:aws:states:r:a:execution:sm:name`. */
function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Translates Step Functions errors; anything unknown is returned unchanged. */
function translate(error: unknown, context: string): unknown {
  if (!(error instanceof Error)) return error;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (BUSY_ERRORS.has(error.name) || (status !== undefined && status >= 500)) {
    return new StepFunctionsBusyError(
      `${context}: Step Functions is busy (${error.name}); retry later`,
      {
        cause: error,
      }
    );
  }
  if (REJECTED_ERRORS.has(error.name)) {
    return new StepFunctionsRejectedError(`${context}: ${error.name}: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}

/**
 * Controls executions of the traffic-shift state machine.
 *
 * @example
 * const executions = new StepFunctionsControl(new SFNClient({}));
 * const running = await executions.list(stateMachineArn, 'RUNNING');
 */
export class StepFunctionsControl implements ExecutionControl {
  readonly #client: SFNClient;

  constructor(client: SFNClient) {
    this.#client = client;
  }

  /** Describes an execution; `input` is parsed JSON, dates are ISO-8601, `redriveCount` defaults to 0. */
  async describe(executionArn: string): Promise<ExecutionDescription> {
    let out: DescribeExecutionCommandOutput;
    try {
      out = await this.#client.send(new DescribeExecutionCommand({ executionArn }));
    } catch (error) {
      throw translate(error, `DescribeExecution ${executionArn}`);
    }
    return {
      executionArn: out.executionArn ?? executionArn,
      stateMachineArn: out.stateMachineArn ?? '',
      name: out.name ?? '',
      status: out.status as ExecutionStatus,
      startDate: iso(out.startDate) ?? '',
      stopDate: iso(out.stopDate),
      input: parseJson(out.input),
      error: out.error ?? null,
      cause: out.cause ?? null,
      redriveCount: out.redriveCount ?? 0,
    };
  }

  /**
   * Lists executions with one status, newest first (the API's order).
   * `startedAfter` keeps executions started at or after that instant; `maxResults` caps the total.
   */
  async list(
    stateMachineArn: string,
    status: ExecutionStatus,
    options: { startedAfter?: string; maxResults?: number } = {}
  ): Promise<ExecutionSummary[]> {
    const after = options.startedAfter === undefined ? undefined : Date.parse(options.startedAfter);
    const limit = options.maxResults ?? Number.POSITIVE_INFINITY;
    const found: ExecutionSummary[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES && found.length < limit; page++) {
      let out: ListExecutionsCommandOutput;
      try {
        out = await this.#client.send(
          new ListExecutionsCommand({
            stateMachineArn,
            statusFilter: status,
            maxResults: PAGE_SIZE,
            ...(nextToken ? { nextToken } : {}),
          })
        );
      } catch (error) {
        throw translate(error, `ListExecutions ${stateMachineArn} ${status}`);
      }
      for (const item of out.executions ?? []) {
        const startDate = iso(item.startDate) ?? '';
        // Filtered here: the API has no start-date filter.
        if (after !== undefined && Date.parse(startDate) < after) continue;
        if (found.length >= limit) break;
        found.push({
          executionArn: item.executionArn ?? '',
          name: item.name ?? '',
          status: item.status as ExecutionStatus,
          startDate,
          stopDate: iso(item.stopDate),
        });
      }
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return found;
  }

  /**
   * Starts an execution. For STANDARD machines the API is idempotent for a RUNNING execution with the
   * same name and input; on `ExecutionAlreadyExists` the existing one is described, and accepted when
   * it is RUNNING with the same input (JSON-equal), otherwise refused.
   *
   * @throws StepFunctionsRejectedError naming the existing execution (closed, or other input; names
   *   stay reserved for 90 days after an execution closes).
   */
  async start(
    stateMachineArn: string,
    name: string,
    input: unknown
  ): Promise<{ executionArn: string; startDate: string }> {
    try {
      const out = await this.#client.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) })
      );
      return { executionArn: out.executionArn ?? '', startDate: iso(out.startDate) ?? '' };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'ExecutionAlreadyExists') {
        throw translate(error, `StartExecution ${name}`);
      }
      const existingArn = executionArnOf(stateMachineArn, name);
      let existing: ExecutionDescription;
      try {
        existing = await this.describe(existingArn);
      } catch {
        // The conflict is what matters; a failed look-up only loses detail.
        throw new StepFunctionsRejectedError(
          `StartExecution ${name}: an execution named ${name} already exists (${existingArn})`,
          { cause: error }
        );
      }
      if (existing.status === 'RUNNING' && sameJson(existing.input, input)) {
        return { executionArn: existing.executionArn, startDate: existing.startDate };
      }
      throw new StepFunctionsRejectedError(
        `StartExecution ${name}: execution ${existingArn} already exists ` +
          (existing.status === 'RUNNING'
            ? 'and is RUNNING with a different input'
            : `and is ${existing.status} (names stay reserved for 90 days after closing)`),
        { cause: error }
      );
    }
  }

  /** Stops an execution. No Catch or cleanup state runs after this; the rollback rule reacts to ABORTED. */
  async stop(executionArn: string, error?: string, cause?: string): Promise<void> {
    try {
      await this.#client.send(
        new StopExecutionCommand({
          executionArn,
          ...(error !== undefined ? { error: error.slice(0, MAX_STOP_ERROR) } : {}),
          ...(cause !== undefined ? { cause: cause.slice(0, MAX_STOP_CAUSE) } : {}),
        })
      );
    } catch (caught) {
      throw translate(caught, `StopExecution ${executionArn}`);
    }
  }

  /**
   * The newest RunState a Task of this execution returned: reads the history newest first and stops
   * at the first page holding one.
   */
  async latestRunState(executionArn: string): Promise<RunState | null> {
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      let out: GetExecutionHistoryCommandOutput;
      try {
        out = await this.#client.send(
          new GetExecutionHistoryCommand({
            executionArn,
            reverseOrder: true,
            maxResults: PAGE_SIZE,
            includeExecutionData: true,
            ...(nextToken ? { nextToken } : {}),
          })
        );
      } catch (error) {
        throw translate(error, `GetExecutionHistory ${executionArn}`);
      }
      const state = runStateFromHistory(out.events ?? []);
      if (state) return state;
      nextToken = out.nextToken;
      if (!nextToken) return null;
    }
    return null;
  }

  /** The end event's error and cause: the newest history event, when it is one of the execution's ends. */
  async endError(
    executionArn: string
  ): Promise<{ error: string | null; cause: string | null } | null> {
    let out: GetExecutionHistoryCommandOutput;
    try {
      out = await this.#client.send(
        new GetExecutionHistoryCommand({
          executionArn,
          reverseOrder: true,
          maxResults: 1,
          includeExecutionData: true,
        })
      );
    } catch (error) {
      throw translate(error, `GetExecutionHistory ${executionArn}`);
    }
    const last = out.events?.[0];
    const details =
      last?.executionAbortedEventDetails ??
      last?.executionFailedEventDetails ??
      last?.executionTimedOutEventDetails;
    if (details === undefined) return null;
    return { error: details.error ?? null, cause: details.cause ?? null };
  }
}
