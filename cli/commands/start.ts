/**
 * `traffic-shift start FILE`: validates the input (no AWS call when it is invalid), then StartExecution on
 * the deployed state machine with a name derived from the migration id. Prints the ARN and the console link.
 */
import { StepFunctionsControl } from '../../functions/adapters/step-functions-control.ts';
import {
  checkExecutionName,
  consoleUrl,
  executionName,
  loadInput,
  printJson,
  regionOf,
  regionOfArn,
  resolveStateMachineArn,
  sfnClient,
} from './common.ts';

export interface StartOptions {
  file: string;
  stateMachineArn?: string;
  stack?: string;
  account?: string;
  region?: string;
  name?: string;
  json: boolean;
}

export async function start(options: StartOptions): Promise<number> {
  const { input } = loadInput(options.file);
  const name =
    options.name === undefined
      ? executionName(input.migrationId, new Date())
      : checkExecutionName(options.name);
  // An ARN names its region; otherwise --region or the SDK's default chain (AWS_REGION, profile).
  const client = sfnClient(
    options.region ?? (options.stateMachineArn ? regionOfArn(options.stateMachineArn) : undefined)
  );
  const region = await regionOf(client);
  const stateMachineArn = resolveStateMachineArn(options, region);
  // The validated input, defaults filled: what the execution runs is exactly what was checked here.
  const started = await new StepFunctionsControl(client).start(stateMachineArn, name, input);
  const link = consoleUrl(started.executionArn);
  if (options.json) {
    printJson({
      executionArn: started.executionArn,
      name,
      stateMachineArn,
      startDate: started.startDate,
      consoleUrl: link,
      migrationId: input.migrationId,
    });
  } else {
    process.stdout.write(
      [
        `started ${input.migrationId}`,
        `  execution  ${started.executionArn}`,
        `  console    ${link}`,
        '',
        `  traffic-shift status ${started.executionArn} --watch`,
        `  traffic-shift abort ${started.executionArn}`,
        '',
      ].join('\n')
    );
  }
  return 0;
}
