/**
 * One handle across continuations: `status --watch` given the first generation's ARN follows `<name>-c2` and
 * ends with the migration's real outcome, never with exit 0 at the hand-over; `abort` and `pause` act on
 * the current generation. The run is the real ASL in the local engine (its execution registry stands in for
 * Step Functions' DescribeExecution / GetExecutionHistory); the continuation is forced by raising the
 * run's history estimate once, as a long bake would.
 */
import { describe, expect, it } from 'vitest';
import { chainOf, currentGeneration } from '../../cli/commands/handle.ts';
import { status } from '../../cli/commands/status.ts';
import { StepFunctionsRejectedError } from '../../functions/core/errors.ts';
import type { RunState } from '../../functions/core/state.ts';
import {
  makeEngine,
  motoPerFile,
  SyntheticMetricSource,
  seedWorld,
  shortPlanInput,
} from '../support/robustness-kit.ts';

const moto = motoPerFile();

/** A run that continues once at 50 % and then rolls back in its second generation. */
async function continuedThenRolledBack() {
  const world = await seedWorld(moto.endpoint);
  let regressing = false;
  let forced = false;
  const metrics = new SyntheticMetricSource({
    greenPercent: async () => (regressing ? 100 : 0),
    failFromPercent: 50,
  });
  const { engine } = makeEngine({
    endpoint: moto.endpoint,
    metrics,
    beforeTask: ({ state, payload }) => {
      if (state !== 'EvaluateMetrics') return;
      const run = payload as RunState;
      if (run.run.generation === 2) regressing = true;
      if (!forced && run.status.greenPercent === 50) {
        forced = true;
        run.history.eventsEstimate = 19_900;
      }
    },
  });
  const input = shortPlanInput(world.zone.records, { migrationId: 'follow' });
  const { executionArn } = engine.start(input, 'follow');
  const ends = await engine.endOfChain(executionArn);
  return { engine, executionArn, ends };
}

describe('status --watch follows continuations (local engine)', () => {
  it('from the first ARN to <name>-c2, and exits with the rollback of c2 (2), not 0 at the hand-over', async () => {
    // Prepare
    const { engine, executionArn, ends } = await continuedThenRolledBack();
    expect(ends.map((end) => end.status)).toEqual(['SUCCEEDED', 'FAILED']);
    const successor = `${executionArn}-c2`;
    // The successor is not visible to the first two DescribeExecution calls (eventual consistency).
    let hidden = 2;
    const control = {
      describe: async (arn: string) => {
        if (arn === successor && hidden-- > 0)
          throw new StepFunctionsRejectedError(`ExecutionDoesNotExist: ${arn}`);
        return engine.registry.describe(arn);
      },
      latestRunState: (arn: string) => engine.registry.latestRunState(arn),
    };
    const lines: string[] = [];

    // Act
    const code = await status({
      executionArn,
      watch: 1,
      json: true,
      control,
      write: (text) => lines.push(text),
      sleep: async () => undefined,
    });

    // Assess
    const views = lines.map((line) => JSON.parse(line) as { executionArn: string; status: string });
    expect(code).toBe(2);
    expect(views.at(0)).toMatchObject({ executionArn, status: 'SUCCEEDED' });
    expect(views.at(-1)).toMatchObject({ executionArn: successor, status: 'FAILED' });
    // It kept watching while the successor was not visible yet instead of ending at the continuation.
    expect(
      views.filter((view) => view.executionArn === executionArn).length
    ).toBeGreaterThanOrEqual(2);
  });

  it('chainOf includes the successor a hand-over names before the current generation has ended', async () => {
    // Prepare: ContinueAsNew has written orders-c2 into the registry; orders still RUNNING, orders-c2 not started.
    const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:sm';
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:sm:orders';
    const control = {
      describe: async (executionArn: string) => {
        if (executionArn !== arn)
          throw new StepFunctionsRejectedError(`ExecutionDoesNotExist: ${executionArn}`);
        return { executionArn, status: 'RUNNING' } as never;
      },
      latestRunState: async () =>
        ({
          run: {
            executionArn: arn,
            executionName: 'orders',
            generation: 1,
            stateMachineArn: machine,
          },
        }) as never,
    };

    // Act
    const chain = await chainOf(control, arn);

    // Assess
    expect(chain).toEqual([arn, arn, `${arn}-c2`]);
  });

  it('currentGeneration resolves any generation to the newest one', async () => {
    // Prepare
    const { engine, executionArn } = await continuedThenRolledBack();

    // Act
    const fromFirst = await currentGeneration(engine.registry, executionArn);
    const fromSecond = await currentGeneration(engine.registry, `${executionArn}-c2`);

    // Assess
    expect(fromFirst.executionArn).toBe(`${executionArn}-c2`);
    expect(fromFirst.followed).toEqual([`${executionArn}-c2`]);
    expect(fromSecond.executionArn).toBe(`${executionArn}-c2`);
    expect(fromSecond.followed).toEqual([]);
  });
});
