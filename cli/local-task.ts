/**
 * The local engine's Task states other than WaitForApproval (that one is local-gate-task.ts): the real handler
 * called in-process with the Lambda integration's `{ Payload }` shape, standing in for the Wait before it
 * (virtual clock, optional real sleep) and reporting its result. Separate from local-engine.ts, which runs the
 * executions these tasks belong to.
 */
import type { RunState } from '../functions/core/state.ts';
import { fakeContext, type TaskState } from './local-definition.ts';
import type { EngineEvent, LambdaHandler, TaskHookContext } from './local-engine-options.ts';

/** Task states that follow a Wait: the wrapper stands in for the wait (virtual clock, optional real sleep). */
const AFTER_WAIT: readonly string[] = ['CheckDnsSync', 'EvaluateMetrics'];

export interface TaskDeps {
  state: TaskState;
  handler: LambdaHandler;
  executionArn: string;
  /** The execution's registered start, on the virtual clock. */
  startDate: string;
  clock: { advance(seconds: number): void };
  realMsPerVirtualSecond: number;
  aborted: () => boolean;
  inFlight: Set<Promise<unknown>>;
  /** True once (and forgets) when a gate wait before this Task already slept the interval. */
  sleptForGate: () => boolean;
  beforeTask?: (context: TaskHookContext) => Promise<void> | void;
  /** A handler returned a RunState: the registry keeps it as the execution's latest. */
  recordState: (state: RunState) => void;
  emit: (event: Omit<EngineEvent, 'at'>) => void;
}

export function task(deps: TaskDeps) {
  const { state, handler, executionArn, aborted, inFlight } = deps;
  return async (input: unknown) => {
    const { Payload } = input as { Payload: Record<string, unknown> };
    // The interpreter fills $$.Execution.StartTime from the wall clock; the run lock compares it with other
    // executions' startDate from the registry, which runs on the virtual clock: use the registered one.
    if (state === 'Preflight') Payload['startTime'] = deps.startDate;
    if (AFTER_WAIT.includes(state)) {
      const waitSeconds = Number((Payload as { waitSeconds?: number }).waitSeconds ?? 0);
      const ms = waitSeconds * deps.realMsPerVirtualSecond;
      // After a gate wait the interval was already slept (the wait stood in for the Bake).
      const slept = deps.sleptForGate();
      if (ms > 0 && !slept) await sleepUnless(ms, aborted);
      // The Wait before this Task was interrupted by a stop: the Task never starts.
      if (aborted()) throw new Error('execution stopped during the wait');
      deps.clock.advance(waitSeconds);
    }
    await deps.beforeTask?.({ state, executionArn, payload: Payload });
    const call = handler(Payload as never, fakeContext(`traffic-shift-${state}`));
    inFlight.add(call);
    try {
      const result = (await call) as RunState;
      if (result !== null && typeof result === 'object' && 'snapshot' in result)
        deps.recordState(result);
      deps.emit({ type: 'task-succeeded', executionArn, state, output: result });
      return { StatusCode: 200, Payload: result as never };
    } catch (error) {
      deps.emit({
        type: 'task-failed',
        executionArn,
        state,
        error: (error as Error).name,
        cause: (error as Error).message,
      });
      throw error;
    } finally {
      inFlight.delete(call);
    }
  };
}

export async function sleepUnless(ms: number, stop: () => boolean): Promise<void> {
  const step = 20;
  for (let waited = 0; waited < ms && !stop(); waited += step) {
    await new Promise((resolvePromise) => setTimeout(resolvePromise, Math.min(step, ms - waited)));
  }
}
