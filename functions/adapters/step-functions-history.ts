/**
 * Reads an execution's history: the newest RunState a Task returned (to restore from) and the error and cause
 * of the event that ended it. Apart from the execution control because it parses Task outputs (two result
 * shapes) and pages the history newest first, which the describe/list/start/stop calls never do; the CLI's
 * history report parses the same events (cli/history-report.ts).
 */
import {
  GetExecutionHistoryCommand,
  type GetExecutionHistoryCommandOutput,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { RunState } from '../core/state.ts';
import { translate } from './step-functions-errors.ts';
import { isObject } from './step-functions-json.ts';

/** GetExecutionHistory returns at most 1,000 events per page. */
const PAGE_SIZE = 1_000;

/** A history holds at most 25,000 events: 25 pages of 1,000. */
const MAX_HISTORY_PAGES = 30;

/** The fields of a history event that {@link runStateFromHistory} reads (the SDK's `HistoryEvent` fits). */
export interface HistoryEventLike {
  id?: number | undefined;
  type?: string | undefined;
  taskSucceededEventDetails?: { output?: string | undefined } | undefined;
  lambdaFunctionSucceededEventDetails?: { output?: string | undefined } | undefined;
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

/** One page of the history, newest event first, with each event's input and output. */
async function newestEvents(
  client: SFNClient,
  executionArn: string,
  maxResults: number,
  nextToken?: string
): Promise<GetExecutionHistoryCommandOutput> {
  try {
    return await client.send(
      new GetExecutionHistoryCommand({
        executionArn,
        reverseOrder: true,
        maxResults,
        includeExecutionData: true,
        ...(nextToken ? { nextToken } : {}),
      })
    );
  } catch (error) {
    throw translate(error, `GetExecutionHistory ${executionArn}`);
  }
}

/**
 * The newest RunState a Task of this execution returned: reads the history newest first and stops
 * at the first page holding one.
 */
export async function readLatestRunState(
  client: SFNClient,
  executionArn: string
): Promise<RunState | null> {
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
    const out = await newestEvents(client, executionArn, PAGE_SIZE, nextToken);
    const state = runStateFromHistory(out.events ?? []);
    if (state) return state;
    nextToken = out.nextToken;
    if (!nextToken) return null;
  }
  return null;
}

/** The end event's error and cause: the newest history event, when it is one of the execution's ends. */
export async function readEndError(
  client: SFNClient,
  executionArn: string
): Promise<{ error: string | null; cause: string | null } | null> {
  const out = await newestEvents(client, executionArn, 1);
  const last = out.events?.[0];
  const details =
    last?.executionAbortedEventDetails ??
    last?.executionFailedEventDetails ??
    last?.executionTimedOutEventDetails;
  if (details === undefined) return null;
  return { error: details.error ?? null, cause: details.cause ?? null };
}
