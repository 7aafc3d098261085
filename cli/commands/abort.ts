/**
 * `traffic-shift abort ARN [--keep-weights]`: StopExecution. No Catch runs after a stop; the
 * EventBridge rule sends the ABORTED status to on-execution-end, which restores the snapshot, unless the
 * stop's error code is KeepWeights (then the current weights stay).
 */
import { StepFunctionsControl } from '../../functions/adapters/step-functions-control.ts';
import { KEEP_WEIGHTS_ERROR } from '../../functions/core/recovery.ts';
import type { RunState } from '../../functions/core/state.ts';
import { CliError, ExitCode, printJson, regionOf, regionOfArn, sfnClient } from './common.ts';
import { isArnHandle, resolveExecution } from './handle.ts';
import { registryTable } from './registry-table.ts';

/** The StopExecution error code of a plain abort (on-execution-end restores the snapshot). */
export const OPERATOR_ABORT_ERROR = 'OperatorAbort';

export interface AbortOptions {
  /** The handle: the migrationId, or any generation's execution ARN; the current generation is stopped. */
  executionArn: string;
  registryTable?: string;
  keepWeights: boolean;
  reason?: string;
  json: boolean;
  region?: string;
}

function weightsText(
  pairs: readonly { name: string; blueWeight: number; greenWeight: number }[]
): string {
  return pairs
    .map((pair) => `${pair.name} blue ${pair.blueWeight} / green ${pair.greenWeight}`)
    .join(', ');
}

export function whatOnEndDoes(
  keepWeights: boolean,
  state: RunState | null
): { action: 'keep-weights' | 'restore-snapshot' | 'nothing-to-restore'; text: string } {
  if (state === null || state.snapshot.length === 0) {
    return {
      action: 'nothing-to-restore',
      text: 'no snapshot yet (stopped before preflight finished): nothing to restore',
    };
  }
  if (state.input.mode === 'observe') {
    return { action: 'nothing-to-restore', text: 'observe mode: the run never wrote to Route 53' };
  }
  if (keepWeights) {
    return {
      action: 'keep-weights',
      text: `on-execution-end keeps the current weights (${weightsText(state.expected)})`,
    };
  }
  const snapshot = state.snapshot.map((pair) => ({
    name: pair.name,
    blueWeight: pair.blue.Weight,
    greenWeight: pair.green.Weight,
  }));
  return {
    action: 'restore-snapshot',
    text: `on-execution-end restores the snapshot (${weightsText(snapshot)}) unless the records already equal it`,
  };
}

export async function abort(options: AbortOptions): Promise<number> {
  const handle = options.executionArn;
  const region =
    options.region ??
    (isArnHandle(handle) ? regionOfArn(handle) : undefined) ??
    (await regionOf(sfnClient()));
  const control = new StepFunctionsControl(sfnClient(region));
  // A continuation hands the run on: stop the generation that runs now, whichever one was named.
  const current = await resolveExecution(handle, {
    control,
    registry: () =>
      registryTable({
        region,
        ...(options.registryTable === undefined ? {} : { registryTable: options.registryTable }),
      }).registry,
    where: `the registry table ${options.registryTable ?? 'traffic-shift-migrations'}`,
  });
  const { executionArn, description } = current;
  if (description.status !== 'RUNNING') {
    throw new CliError(
      `${executionArn} is ${description.status}: nothing to stop`,
      ExitCode.MigrationFinished,
      { status: description.status }
    );
  }
  const state = current.state;
  const error = options.keepWeights ? KEEP_WEIGHTS_ERROR : OPERATOR_ABORT_ERROR;
  const cause =
    options.reason ??
    `stopped with traffic-shift abort${options.keepWeights ? ' --keep-weights' : ''}`;
  await control.stop(executionArn, error, cause);
  const onEnd = whatOnEndDoes(options.keepWeights, state);
  if (options.json) {
    printJson({
      executionArn,
      stopped: true,
      error,
      cause,
      onExecutionEnd: onEnd.action,
      detail: onEnd.text,
      weights: state?.expected ?? null,
    });
  } else {
    process.stdout.write(`stopped ${executionArn} (error ${error}: ${cause})\n  ${onEnd.text}\n`);
  }
  return 0;
}
