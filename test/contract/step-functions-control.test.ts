/**
 * StepFunctionsControl against a real moto_server (execution simulation off, the default: moto 5.2.1
 * fails a second simulated StartExecution). moto drops StopExecution's error and cause, and its
 * GetExecutionHistory returns a fixed sample history (local-aws.md §3.5).
 */
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepFunctionsControl } from '../../functions/adapters/step-functions-control.ts';
import { StepFunctionsRejectedError } from '../../functions/core/errors.ts';
import { clientConfig, type Moto, startMoto } from '../support/moto.ts';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/x';

let moto: Moto;
let sfn: SFNClient;
let control: StepFunctionsControl;

beforeAll(async () => {
  moto = await startMoto();
  sfn = new SFNClient(clientConfig(moto.endpoint));
  control = new StepFunctionsControl(sfn);
});

afterAll(async () => {
  sfn?.destroy();
  await moto?.stop();
});

async function createStateMachine(name: string): Promise<string> {
  const out = await sfn.send(
    new CreateStateMachineCommand({
      name,
      roleArn: ROLE_ARN,
      definition: JSON.stringify({
        StartAt: 'Bake',
        States: { Bake: { Type: 'Wait', Seconds: 3600, End: true } },
      }),
    })
  );
  return out.stateMachineArn!;
}

describe('StepFunctionsControl against moto', () => {
  let stateMachineArn: string;
  let first: { executionArn: string; startDate: string };
  let second: { executionArn: string; startDate: string };

  beforeAll(async () => {
    stateMachineArn = await createStateMachine('traffic-shift');
    first = await control.start(stateMachineArn, 'orders-1', { migrationId: 'orders', n: 1 });
    second = await control.start(stateMachineArn, 'orders-2', { migrationId: 'orders', n: 2 });
  });

  it('starts executions and lists them as RUNNING', async () => {
    // Act
    const running = await control.list(stateMachineArn, 'RUNNING');

    // Assess
    expect(first.executionArn).toBe(
      `${stateMachineArn.replace(':stateMachine:', ':execution:')}:orders-1`
    );
    expect(first.startDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(running.map((execution) => execution.executionArn).sort()).toEqual([
      first.executionArn,
      second.executionArn,
    ]);
    expect(
      running.every((execution) => execution.status === 'RUNNING' && execution.stopDate === null)
    ).toBe(true);
  });

  it('describes an execution with its input parsed', async () => {
    // Act
    const description = await control.describe(first.executionArn);

    // Assess
    expect(description).toEqual({
      executionArn: first.executionArn,
      stateMachineArn,
      name: 'orders-1',
      status: 'RUNNING',
      startDate: first.startDate,
      stopDate: null,
      input: { migrationId: 'orders', n: 1 },
      error: null,
      cause: null,
      redriveCount: 0,
    });
  });

  it('returns the running execution when started again with the same name and input', async () => {
    // Act
    const again = await control.start(stateMachineArn, 'orders-1', { migrationId: 'orders', n: 1 });

    // Assess
    expect(again.executionArn).toBe(first.executionArn);
  });

  it('refuses the same name with another input, naming the execution', async () => {
    // Act
    const starting = control.start(stateMachineArn, 'orders-1', { migrationId: 'orders', n: 99 });

    // Assess
    await expect(starting).rejects.toBeInstanceOf(StepFunctionsRejectedError);
    await expect(starting).rejects.toThrow(
      /orders-1 already exists and is RUNNING with a different input/
    );
  });

  it('honours maxResults and startedAfter', async () => {
    // Act
    const capped = await control.list(stateMachineArn, 'RUNNING', { maxResults: 1 });
    const none = await control.list(stateMachineArn, 'RUNNING', {
      startedAfter: new Date(Date.now() + 60_000).toISOString(),
    });

    // Assess
    expect(capped).toHaveLength(1);
    expect(none).toEqual([]);
  });

  it('stops one execution, which is then listed as ABORTED', async () => {
    // Prepare
    const machine = await createStateMachine('traffic-shift-stop');
    const keep = await control.start(machine, 'keep', {});
    const abort = await control.start(machine, 'abort', {});

    // Act
    await control.stop(abort.executionArn, 'KeepWeights', 'stopped by the contract test');

    // Assess
    const aborted = await control.list(machine, 'ABORTED');
    const running = await control.list(machine, 'RUNNING');
    expect(aborted.map((execution) => [execution.name, execution.status])).toEqual([
      ['abort', 'ABORTED'],
    ]);
    expect(running.map((execution) => execution.executionArn)).toEqual([keep.executionArn]);
    expect((await control.describe(abort.executionArn)).status).toBe('ABORTED');
  });

  it('refuses to describe an execution that does not exist', async () => {
    // Act
    const describing = control.describe(`${first.executionArn}-missing`);

    // Assess
    await expect(describing).rejects.toBeInstanceOf(StepFunctionsRejectedError);
  });

  it('finds no RunState in the sample history moto returns', async () => {
    // Act
    const state = await control.latestRunState(first.executionArn);

    // Assess
    expect(state).toBeNull();
  });
});
