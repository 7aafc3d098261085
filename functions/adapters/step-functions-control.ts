/**
 * Step Functions implementation of the `ExecutionControl` port: describe, list, start and stop executions.
 * Reading an execution's history (its newest RunState, its end error) is step-functions-history.ts; the
 * error mapping step-functions-errors.ts.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ListExecutionsCommand,
  type ListExecutionsCommandOutput,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { StepFunctionsRejectedError } from '../core/errors.ts';
import type {
  ExecutionControl,
  ExecutionDescription,
  ExecutionStatus,
  ExecutionSummary,
  RunState,
} from '../core/state.ts';
import { translate } from './step-functions-errors.ts';
import { readEndError, readLatestRunState } from './step-functions-history.ts';
import { parseJson, sameJson } from './step-functions-json.ts';

/** StopExecution limits: `error` up to 256 characters, `cause` up to 32,768 (API_StopExecution). */
const MAX_STOP_ERROR = 256;
const MAX_STOP_CAUSE = 32_768;

/** ListExecutions returns at most 1,000 executions per page. */
const PAGE_SIZE = 1_000;

/** Executions listed before giving up (100 pages of 1,000). */
const MAX_LIST_PAGES = 100;

function iso(date: Date | undefined): string | null {
  return date ? new Date(date).toISOString() : null;
}

/** `arn:aws:states:r:a:stateMachine:sm` + `name` -> `arn:aws:states:r:a:execution:sm:name`. */
function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
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
    return readLatestRunState(this.#client, executionArn);
  }

  /** The end event's error and cause: the newest history event, when it is one of the execution's ends. */
  async endError(
    executionArn: string
  ): Promise<{ error: string | null; cause: string | null } | null> {
    return readEndError(this.#client, executionArn);
  }
}
