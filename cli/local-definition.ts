/**
 * The state machine definition as the local engine runs it: the ASL with SAM's substitutions filled, the Task
 * states and the functions they name, the Lambda context the interpreter does not pass, and the history events
 * AWS would write for the interpreter's log.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFINITION_PATH = resolve(here, '../statemachine/traffic-shift.asl.json');

/** Task states and the substitution that names their function. */
export const TASK_FUNCTIONS = {
  Preflight: 'PreflightFunctionArn',
  ShiftTraffic: 'ShiftTrafficFunctionArn',
  CheckDnsSync: 'CheckDnsSyncFunctionArn',
  EvaluateMetrics: 'EvaluateMetricsFunctionArn',
  Complete: 'CompleteFunctionArn',
  ContinueAsNew: 'ContinueAsNewFunctionArn',
  Rollback: 'RollbackFunctionArn',
  WaitForApproval: 'WaitForApprovalFunctionArn',
} as const;
export type TaskState = keyof typeof TASK_FUNCTIONS;

/** The real-time timer left on callback tasks (20 days): the engine's own virtual timeout ends them first. */
const LOCAL_CALLBACK_TIMER_SECONDS = 20 * 86_400;

/** Loads the ASL and fills `${Name}` placeholders the way SAM DefinitionSubstitutions does. */
export function loadDefinition(
  path = DEFINITION_PATH,
  region = 'us-east-1',
  account = '123456789012'
): StateMachineDefinition {
  const substitutions: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(TASK_FUNCTIONS).map(([state, key]) => [
        key,
        `arn:aws:lambda:${region}:${account}:function:traffic-shift-${state}`,
      ])
    ),
    LambdaInvokeResource: 'arn:aws:states:::lambda:invoke',
    LambdaInvokeWaitForTaskTokenResource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
  };
  const text = readFileSync(path, 'utf8').replace(
    /\$\{(\w+)\}/g,
    (whole, name: string) => substitutions[name] ?? whole
  );
  const definition = JSON.parse(text) as StateMachineDefinition & { TimeoutSeconds?: number };
  // The interpreter arms a real-time timer for TimeoutSeconds (it overflows Node's timer past 24.8 days and
  // fires at once); under the engine's virtual clock a real-time execution timeout means nothing anyway.
  delete definition.TimeoutSeconds;
  // The interpreter reads TimeoutSecondsPath from the Task's Parameters output, AWS from the state input; and it
  // times out in real time. The engine times callback tasks out itself on the virtual clock
  // (local-gate-task.ts), so their real-time timer only has to stay out of the way (under Node's 24.8-day
  // timer limit).
  for (const state of Object.values(definition.States) as unknown as Record<string, unknown>[]) {
    if (String(state['Resource'] ?? '').endsWith('.waitForTaskToken')) {
      delete state['TimeoutSecondsPath'];
      state['TimeoutSeconds'] = LOCAL_CALLBACK_TIMER_SECONDS;
    }
  }
  return definition;
}

/** aws-local-stepfunctions passes no Lambda context; middy and Powertools need one. */
export function fakeContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/**
 * Maps the interpreter's simplified event log to the events AWS would write into the execution history.
 * Task 5 (Entered, Scheduled, Started, Succeeded/Failed, Exited), other states 2, a retry 3 more
 * (Scheduled, Started, Failed), plus ExecutionStarted and the execution's end.
 */
export function countHistoryEvents(
  log: readonly { type: string; stateType?: string; callback?: boolean }[]
): number {
  let events = 2;
  for (const entry of log) {
    // A `.waitForTaskToken` task also writes TaskSubmitted (core/gates.ts GATE_WAIT_EVENTS).
    if (entry.type === 'StateEntered' && entry.callback === true) events += 6;
    else if (entry.type === 'StateEntered')
      events += entry.stateType === 'Task' ? 5 : entry.stateType === 'Fail' ? 1 : 2;
    if (entry.type === 'StateRetried') events += 3;
  }
  return events;
}
