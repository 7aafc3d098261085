/**
 * The local engine's WaitForApproval (`.waitForTaskToken`) as Step Functions runs it: a fresh token, the real
 * handler (it stores the token, may answer it at once), then `onGateWaiting`, then the answer or the wait's
 * timeout. With a pace the wait sleeps in real time (an answer ends it early and moves the virtual clock by what
 * was slept); without one an unanswered wait times out at once and the following EvaluateMetrics moves the
 * virtual clock by the interval, as after a Bake.
 */
import type { Context } from 'aws-lambda';
import type { GateResult } from '../functions/core/gates.ts';
import { type EngineEvent, fakeContext, type GateWaitContext } from './local-engine.ts';
import { sleepUnless } from './local-task.ts';
import { type LocalTaskTokens, settle, statesTimeout } from './local-task-tokens.ts';

export interface GateTaskDeps {
  handler: (event: never, context: Context) => Promise<unknown>;
  tokens: LocalTaskTokens;
  clock: { advance(seconds: number): void };
  realMsPerVirtualSecond: number;
  onGateWaiting?: (context: GateWaitContext) => Promise<void> | void;
  executionArn: string;
  aborted: () => boolean;
  inFlight: Set<Promise<unknown>>;
  /** The wait slept its whole interval in real time: the next EvaluateMetrics must not sleep it again. */
  sleptThroughInterval: () => void;
  emit: (event: Omit<EngineEvent, 'at'>) => void;
}

export function gateTask(deps: GateTaskDeps) {
  const { executionArn, aborted, inFlight } = deps;
  return async (input: unknown): Promise<GateResult> => {
    const { Payload } = input as { Payload: Record<string, unknown> };
    const { token, answered, close } = deps.tokens.issue();
    const run = Payload as {
      input?: { migrationId?: string; plan?: { evaluationIntervalSeconds?: number } };
      decision?: { nextGreenPercent?: number };
    };
    // TimeoutSecondsPath $.waitSeconds: EvaluateMetrics set it to the evaluation interval.
    const interval = run.input?.plan?.evaluationIntervalSeconds ?? 60;
    let answer: Awaited<typeof answered> | undefined;
    void answered.then((value) => {
      answer = value;
    });
    try {
      const call = deps.handler(
        { ...Payload, taskToken: token } as never,
        fakeContext('traffic-shift-WaitForApproval')
      );
      inFlight.add(call);
      try {
        await call;
      } finally {
        inFlight.delete(call);
      }
      await deps.onGateWaiting?.({
        executionArn,
        migrationId: run.input?.migrationId ?? '',
        step: run.decision?.nextGreenPercent ?? 0,
        taskToken: token,
        waitSeconds: interval,
      });
      await Promise.resolve();
      const ms = interval * deps.realMsPerVirtualSecond;
      if (answer === undefined && ms > 0) {
        const began = Date.now();
        await sleepUnless(ms, () => aborted() || answer !== undefined);
        if (answer === undefined) deps.sleptThroughInterval();
        else deps.clock.advance((Date.now() - began) / deps.realMsPerVirtualSecond);
      }
      if (aborted()) throw new Error('execution stopped during the gate wait');
      if (answer === undefined) throw statesTimeout();
      const result = settle(answer);
      deps.emit({ type: 'task-succeeded', executionArn, state: 'WaitForApproval' });
      return result;
    } catch (error) {
      // A wait ending by its timeout is the gate's normal rhythm, not a failure worth a line.
      if ((error as Error).name !== 'States.Timeout')
        deps.emit({
          type: 'task-failed',
          executionArn,
          state: 'WaitForApproval',
          error: (error as Error).name,
          cause: (error as Error).message,
        });
      throw error;
    } finally {
      close();
    }
  };
}
