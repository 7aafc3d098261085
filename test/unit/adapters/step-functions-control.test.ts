import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  InvalidArn,
  ListExecutionsCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsControl } from '../../../functions/adapters/step-functions-control.ts';
import {
  runStateFromHistory,
  runStateFromOutput,
} from '../../../functions/adapters/step-functions-history.ts';
import {
  StepFunctionsBusyError,
  StepFunctionsRejectedError,
} from '../../../functions/core/errors.ts';

const sfn = mockClient(SFNClient);

const SM = 'arn:aws:states:us-east-1:123456789012:stateMachine:traffic-shift';
const EXEC = 'arn:aws:states:us-east-1:123456789012:execution:traffic-shift:orders-1';

/** Stand-ins for RunStates: the parser only needs an object with a `snapshot` array. */
const older = { snapshot: [], status: { stepIndex: 0 } };
const newer = { snapshot: [], status: { stepIndex: 1 } };

const wrapped = (payload: unknown) =>
  JSON.stringify({
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {},
    StatusCode: 200,
  });

function taskSucceeded(id: number, output: string): HistoryEvent {
  return {
    id,
    type: 'TaskSucceeded',
    timestamp: new Date(0),
    taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output },
  };
}

let control: StepFunctionsControl;

beforeEach(() => {
  sfn.reset();
  control = new StepFunctionsControl(new SFNClient({ region: 'us-east-1' }));
});

describe('Function: runStateFromOutput', () => {
  it.each([
    { case: 'a lambda:invoke result wrapped in Payload', output: wrapped(newer), expected: newer },
    { case: 'an unwrapped function result', output: JSON.stringify(newer), expected: newer },
    { case: 'an object without snapshot', output: wrapped({ status: {} }), expected: null },
    {
      case: 'a snapshot that is not an array',
      output: JSON.stringify({ snapshot: 'x' }),
      expected: null,
    },
    { case: 'truncated JSON', output: wrapped(newer).slice(0, 20), expected: null },
    { case: 'no output', output: undefined, expected: null },
  ])('returns $expected for $case', ({ output, expected }) => {
    // Act + Assess
    expect(runStateFromOutput(output)).toEqual(expected);
  });
});

describe('Function: runStateFromHistory', () => {
  it('takes the newest successful Task by event id, whatever the order', () => {
    // Prepare
    const events: HistoryEvent[] = [
      taskSucceeded(5, wrapped(older)),
      {
        id: 9,
        type: 'TaskStateExited',
        timestamp: new Date(0),
        stateExitedEventDetails: { name: 'x', output: JSON.stringify({ snapshot: ['ignored'] }) },
      },
      taskSucceeded(8, wrapped(newer)),
    ];

    // Act + Assess
    expect(runStateFromHistory(events)).toEqual(newer);
  });

  it('reads LambdaFunctionSucceeded outputs (plain Lambda ARN resources, unwrapped)', () => {
    // Prepare
    const events: HistoryEvent[] = [
      {
        id: 3,
        type: 'LambdaFunctionSucceeded',
        timestamp: new Date(0),
        lambdaFunctionSucceededEventDetails: { output: JSON.stringify(newer) },
      },
      taskSucceeded(2, wrapped(older)),
    ];

    // Act + Assess
    expect(runStateFromHistory(events)).toEqual(newer);
  });

  it('skips newer Task outputs that hold no RunState', () => {
    // Prepare
    const events = [
      taskSucceeded(7, wrapped({ other: true })),
      taskSucceeded(6, 'not json'),
      taskSucceeded(4, wrapped(older)),
    ];

    // Act + Assess
    expect(runStateFromHistory(events)).toEqual(older);
  });

  it('keeps the given order when events have no ids (plain JSON events, newest first)', () => {
    // Prepare
    const events = [
      { type: 'TaskSucceeded', taskSucceededEventDetails: { output: wrapped(newer) } },
      { type: 'TaskSucceeded', taskSucceededEventDetails: { output: wrapped(older) } },
    ];

    // Act + Assess
    expect(runStateFromHistory(events)).toEqual(newer);
  });

  it('returns null without any successful Task', () => {
    // Act + Assess
    expect(runStateFromHistory([{ id: 1, type: 'ExecutionStarted' }])).toBeNull();
  });
});

describe('Method: latestRunState', () => {
  it('reads the history newest first across pages until a Task returned a RunState', async () => {
    // Prepare
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({
        events: [
          { id: 40, type: 'ExecutionAborted', timestamp: new Date(0) },
          { id: 39, type: 'WaitStateEntered', timestamp: new Date(0) },
          taskSucceeded(38, wrapped(newer).slice(0, 10)),
        ],
        nextToken: 'older-page',
      })
      .resolvesOnce({
        events: [taskSucceeded(30, wrapped(newer)), taskSucceeded(20, wrapped(older))],
        nextToken: 'oldest',
      });

    // Act
    const state = await control.latestRunState(EXEC);

    // Assess
    expect(state).toEqual(newer);
    expect(sfn).toReceiveCommandTimes(GetExecutionHistoryCommand, 2);
    expect(sfn).toReceiveNthCommandWith(GetExecutionHistoryCommand, 1, {
      executionArn: EXEC,
      reverseOrder: true,
    });
    expect(sfn).toReceiveNthCommandWith(GetExecutionHistoryCommand, 2, {
      executionArn: EXEC,
      reverseOrder: true,
      nextToken: 'older-page',
    });
  });

  it('returns null when no page holds a RunState (failed in Preflight)', async () => {
    // Prepare
    sfn
      .on(GetExecutionHistoryCommand)
      .resolves({ events: [{ id: 1, type: 'ExecutionStarted', timestamp: new Date(0) }] });

    // Act + Assess
    await expect(control.latestRunState(EXEC)).resolves.toBeNull();
  });
});

describe('Method: start', () => {
  it('sends the input as JSON and returns an ISO start date', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .resolves({ executionArn: EXEC, startDate: new Date('2026-09-14T10:00:00Z') });

    // Act
    const started = await control.start(SM, 'orders-1', { a: 1 });

    // Assess
    expect(started).toEqual({ executionArn: EXEC, startDate: '2026-09-14T10:00:00.000Z' });
    expect(sfn).toReceiveCommandWith(StartExecutionCommand, {
      stateMachineArn: SM,
      name: 'orders-1',
      input: '{"a":1}',
    });
  });

  it('accepts ExecutionAlreadyExists when that execution is RUNNING with the same input (key order aside)', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand, { executionArn: EXEC }).resolves({
      executionArn: EXEC,
      stateMachineArn: SM,
      name: 'orders-1',
      status: 'RUNNING',
      startDate: new Date('2026-09-14T10:00:00Z'),
      input: '{"b":[1,{"c":2}],"a":1}',
    });

    // Act
    const started = await control.start(SM, 'orders-1', { a: 1, b: [1, { c: 2 }] });

    // Assess
    expect(started).toEqual({ executionArn: EXEC, startDate: '2026-09-14T10:00:00.000Z' });
  });

  it.each([
    {
      status: 'RUNNING' as const,
      input: '{"a":2}',
      message: /orders-1 already exists and is RUNNING with a different input/,
    },
    {
      status: 'SUCCEEDED' as const,
      input: '{"a":1}',
      message: /already exists and is SUCCEEDED \(names stay reserved for 90 days/,
    },
  ])(
    'refuses ExecutionAlreadyExists when the execution is $status with input $input',
    async ({ status, input, message }) => {
      // Prepare
      const conflict = new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
      sfn.on(StartExecutionCommand).rejects(conflict);
      sfn.on(DescribeExecutionCommand).resolves({
        executionArn: EXEC,
        stateMachineArn: SM,
        name: 'orders-1',
        status,
        startDate: new Date(0),
        input,
      });

      // Act
      const caught = await control.start(SM, 'orders-1', { a: 1 }).catch((e: unknown) => e);

      // Assess
      expect(caught).toBeInstanceOf(StepFunctionsRejectedError);
      expect((caught as Error).message).toMatch(message);
      expect((caught as Error).cause).toBe(conflict);
    }
  );

  it('still refuses, naming the execution, when the existing one cannot be described', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));

    // Act + Assess
    await expect(control.start(SM, 'orders-1', {})).rejects.toThrow(
      `StartExecution orders-1: an execution named orders-1 already exists (${EXEC})`
    );
  });
});

describe('Method: describe', () => {
  it('parses the input, converts dates to ISO and defaults redriveCount to 0', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXEC,
      stateMachineArn: SM,
      name: 'orders-1',
      status: 'ABORTED',
      startDate: new Date('2026-09-14T10:00:00Z'),
      stopDate: new Date('2026-09-14T11:00:00Z'),
      input: '{"migrationId":"orders"}',
      error: 'KeepWeights',
      cause: 'operator',
    });

    // Act
    const description = await control.describe(EXEC);

    // Assess
    expect(description).toEqual({
      executionArn: EXEC,
      stateMachineArn: SM,
      name: 'orders-1',
      status: 'ABORTED',
      startDate: '2026-09-14T10:00:00.000Z',
      stopDate: '2026-09-14T11:00:00.000Z',
      input: { migrationId: 'orders' },
      error: 'KeepWeights',
      cause: 'operator',
      redriveCount: 0,
    });
  });

  it('passes redriveCount through', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXEC,
      stateMachineArn: SM,
      status: 'RUNNING',
      startDate: new Date(0),
      redriveCount: 2,
    });

    // Act + Assess
    await expect(control.describe(EXEC)).resolves.toMatchObject({
      redriveCount: 2,
      input: null,
      stopDate: null,
    });
  });
});

describe('Method: list', () => {
  const item = (name: string, start: string) => ({
    executionArn: `${EXEC.replace(':orders-1', '')}:${name}`,
    stateMachineArn: SM,
    name,
    status: 'ABORTED' as const,
    startDate: new Date(start),
    stopDate: new Date(start),
  });

  it('pages with the status filter and keeps executions started at or after startedAfter', async () => {
    // Prepare
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({
        executions: [item('c', '2026-09-14T12:00:00Z'), item('b', '2026-09-14T11:00:00Z')],
        nextToken: 'p2',
      })
      .resolvesOnce({ executions: [item('a', '2026-09-14T09:00:00Z')] });

    // Act
    const listed = await control.list(SM, 'ABORTED', { startedAfter: '2026-09-14T11:00:00.000Z' });

    // Assess
    expect(listed.map((execution) => execution.name)).toEqual(['c', 'b']);
    expect(listed[0]).toEqual({
      executionArn: item('c', '2026-09-14T12:00:00Z').executionArn,
      name: 'c',
      status: 'ABORTED',
      startDate: '2026-09-14T12:00:00.000Z',
      stopDate: '2026-09-14T12:00:00.000Z',
    });
    expect(sfn).toReceiveNthCommandWith(ListExecutionsCommand, 2, {
      stateMachineArn: SM,
      statusFilter: 'ABORTED',
      nextToken: 'p2',
    });
  });

  it('stops paging once maxResults executions are found', async () => {
    // Prepare
    sfn.on(ListExecutionsCommand).resolves({
      executions: [item('b', '2026-09-14T11:00:00Z'), item('a', '2026-09-14T10:00:00Z')],
      nextToken: 'more',
    });

    // Act
    const listed = await control.list(SM, 'ABORTED', { maxResults: 1 });

    // Assess
    expect(listed.map((execution) => execution.name)).toEqual(['b']);
    expect(sfn).toReceiveCommandTimes(ListExecutionsCommand, 1);
  });
});

describe('Method: stop', () => {
  it('passes error and cause, cut to the API limits', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date(0) });

    // Act
    await control.stop(EXEC, 'E'.repeat(300), 'c'.repeat(40_000));

    // Assess
    expect(sfn).toReceiveCommandWith(StopExecutionCommand, {
      executionArn: EXEC,
      error: 'E'.repeat(256),
      cause: 'c'.repeat(32_768),
    });
  });

  it('sends neither error nor cause when none is given', async () => {
    // Prepare
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date(0) });

    // Act
    await control.stop(EXEC);

    // Assess
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: EXEC,
    });
  });
});

describe('Error translation', () => {
  it.each([
    {
      error: new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: {},
        message: 'slow down',
      }),
      expected: StepFunctionsBusyError,
    },
    {
      error: new SFNServiceException({
        name: 'ServiceQuotaExceededException',
        $fault: 'client',
        $metadata: {},
        message: 'quota',
      }),
      expected: StepFunctionsBusyError,
    },
    {
      error: new SFNServiceException({
        name: 'InternalFailure',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
        message: 'down',
      }),
      expected: StepFunctionsBusyError,
    },
    {
      error: new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }),
      expected: StepFunctionsRejectedError,
    },
    {
      error: new InvalidArn({ message: 'bad arn', $metadata: {} }),
      expected: StepFunctionsRejectedError,
    },
    {
      error: new StateMachineDoesNotExist({ message: 'no machine', $metadata: {} }),
      expected: StepFunctionsRejectedError,
    },
    {
      error: new ValidationException({ message: 'invalid', $metadata: {} }),
      expected: StepFunctionsRejectedError,
    },
    {
      error: new SFNServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'denied',
      }),
      expected: StepFunctionsRejectedError,
    },
  ])('turns $error.name into $expected.name, keeping the cause', async ({ error, expected }) => {
    // Prepare
    sfn.on(DescribeExecutionCommand).rejects(error);

    // Act
    const caught = await control.describe(EXEC).catch((e: unknown) => e);

    // Assess
    expect(caught).toBeInstanceOf(expected);
    expect((caught as Error).cause).toBe(error);
    expect((caught as Error).message).toContain(`DescribeExecution ${EXEC}`);
  });

  it('re-throws unknown errors unchanged', async () => {
    // Prepare
    const unknown = new SFNServiceException({
      name: 'KmsAccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: 'kms',
    });
    sfn.on(ListExecutionsCommand).rejects(unknown);

    // Act + Assess
    await expect(control.list(SM, 'RUNNING')).rejects.toBe(unknown);
  });
});

describe('Method: endError (aws-sdk-client-mock: moto returns a fixed sample history)', () => {
  it.each([
    {
      name: 'the ExecutionAborted event carries StopExecution’s code',
      event: {
        type: 'ExecutionAborted',
        executionAbortedEventDetails: { error: 'KeepWeights', cause: 'operator' },
      },
      expected: { error: 'KeepWeights', cause: 'operator' },
    },
    {
      name: 'a failed execution names its Fail state error',
      event: { type: 'ExecutionFailed', executionFailedEventDetails: { error: 'RollbackFailed' } },
      expected: { error: 'RollbackFailed', cause: null },
    },
    {
      name: 'a history that does not show the end yet (eventually consistent)',
      event: { type: 'WaitStateEntered' },
      expected: null,
    },
  ])('$name', async ({ event, expected }) => {
    // Prepare
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: EXEC, reverseOrder: true, maxResults: 1 })
      .resolves({ events: [{ id: 9, timestamp: new Date(0), ...event } as HistoryEvent] });

    // Act + Assess
    expect(await control.endError(EXEC)).toEqual(expected);
  });
});

describe('GetExecutionHistory: both reads share one page request (aws-sdk-client-mock: moto neither throttles nor honours paging)', () => {
  it('latestRunState asks for full pages with each event’s data and passes the token on', async () => {
    // Prepare
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [], nextToken: 'page-2' })
      .resolvesOnce({ events: [taskSucceeded(3, wrapped(newer))] });

    // Act
    await control.latestRunState(EXEC);

    // Assess
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input)).toEqual([
      { executionArn: EXEC, reverseOrder: true, maxResults: 1_000, includeExecutionData: true },
      {
        executionArn: EXEC,
        reverseOrder: true,
        maxResults: 1_000,
        includeExecutionData: true,
        nextToken: 'page-2',
      },
    ]);
  });

  it('endError asks for the newest event only, with its data and no token', async () => {
    // Prepare
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });

    // Act
    await control.endError(EXEC);

    // Assess
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]?.args[0].input).toEqual({
      executionArn: EXEC,
      reverseOrder: true,
      maxResults: 1,
      includeExecutionData: true,
    });
  });

  it.each([{ read: 'latestRunState' as const }, { read: 'endError' as const }])(
    '$read turns a throttled history read into StepFunctionsBusyError, keeping the cause',
    async ({ read }) => {
      // Prepare
      const throttled = new SFNServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: {},
        message: 'slow down',
      });
      sfn.on(GetExecutionHistoryCommand).rejects(throttled);

      // Act
      const caught = await control[read](EXEC).catch((e: unknown) => e);

      // Assess
      expect(caught).toBeInstanceOf(StepFunctionsBusyError);
      expect((caught as Error).cause).toBe(throttled);
      expect((caught as Error).message).toContain(`GetExecutionHistory ${EXEC}`);
    }
  );

  it('endError turns a missing execution into StepFunctionsRejectedError', async () => {
    // Prepare
    sfn
      .on(GetExecutionHistoryCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));

    // Act + Assess
    await expect(control.endError(EXEC)).rejects.toBeInstanceOf(StepFunctionsRejectedError);
  });
});
