/**
 * The commands on a deployed migration (start, status, abort, rollback, report) as commander definitions,
 * registered by program.ts. Their actions live in start.ts, status.ts, abort.ts, rollback.ts and
 * report-execution.ts.
 */
import type { Command } from 'commander';
import { ENDPOINTS, integer, type Run } from './program-options.ts';
import type { StartOptions } from './start.ts';

/** start, status, abort and rollback, in that order (help lists commands as registered). */
export function registerExecutionCommands(program: Command, run: Run): void {
  const stateMachineHelp =
    '\nThe state machine: --state-machine-arn (the stack output StateMachineArn), or --stack NAME with --account ID;\n' +
    'the template names it <stack>-traffic-shift. (The CLI carries no CloudFormation or STS client.)\n';

  program
    .command('start')
    .description(
      'validate an input and start it on the deployed state machine; prints the execution ARN and console link'
    )
    .argument('<file>', 'migration input (JSON)')
    .option('--state-machine-arn <arn>', 'the state machine (stack output StateMachineArn)')
    .option(
      '--stack <name>',
      'the stack name; the state machine is <stack>-traffic-shift (needs --account)'
    )
    .option('--account <id>', 'AWS account ID, with --stack')
    .option('--region <region>', 'AWS region (default: the ARN, else the SDK chain)')
    .option('--name <name>', 'execution name (default: <migrationId>-<UTC timestamp>)')
    .option('--json', 'print JSON', false)
    .addHelpText('after', `${stateMachineHelp}${ENDPOINTS}`)
    .action(async (file: string, options: Omit<StartOptions, 'file'>) => {
      await run(async () => {
        const { start } = await import('./start.ts');
        return start({ file, ...options });
      }, options.json);
    });

  program
    .command('status')
    .description(
      'progress, current weights and last verdict of a deployed migration (its current generation)'
    )
    .argument('<migration>', 'the migrationId, or the execution ARN of any generation')
    .option(
      '--watch [seconds]',
      'poll until the migration ends (default every 10 s), following continuations; the exit code is then its outcome',
      integer('--watch', 1)
    )
    .option('--region <region>', 'AWS region (default: the ARN)')
    .option('--registry-table <name>', 'registry table, to find a migrationId (DynamoDB)')
    .option('--json', 'print JSON (with --watch: one line per poll)', false)
    .addHelpText('after', ENDPOINTS)
    .action(
      async (
        arn: string,
        options: { watch?: number | true; region?: string; registryTable?: string; json: boolean }
      ) => {
        await run(async () => {
          const { status } = await import('./status.ts');
          const { watch, ...rest } = options;
          return status({
            executionArn: arn,
            ...rest,
            ...(watch === undefined ? {} : { watch: watch === true ? 10 : watch }),
          });
        }, options.json);
      }
    );

  program
    .command('abort')
    .description(
      'stop a deployed execution; on-execution-end restores the snapshot unless --keep-weights'
    )
    .argument(
      '<migration>',
      'the migrationId, or the execution ARN of any generation (the current one is stopped)'
    )
    .option(
      '--keep-weights',
      'stop with error KeepWeights: on-execution-end leaves the current weights',
      false
    )
    .option('--reason <text>', 'the StopExecution cause')
    .option('--region <region>', 'AWS region (default: the ARN)')
    .option('--registry-table <name>', 'registry table, to find a migrationId (DynamoDB)')
    .option('--json', 'print JSON', false)
    .addHelpText('after', ENDPOINTS)
    .action(
      async (
        arn: string,
        options: {
          keepWeights: boolean;
          reason?: string;
          region?: string;
          registryTable?: string;
          json: boolean;
        }
      ) => {
        await run(async () => {
          const { abort } = await import('./abort.ts');
          return abort({ executionArn: arn, ...options });
        }, options.json);
      }
    );

  program
    .command('rollback')
    .description(
      'restore the snapshot the migration registry holds for a migration (stopping its run first), verify, finish it'
    )
    .argument(
      '<migration>',
      "the migration (its input's migrationId), or any generation's execution ARN"
    )
    .option(
      '--registry-table <name>',
      'migration registry table (DynamoDB)',
      'traffic-shift-migrations'
    )
    .option('--region <region>', 'AWS region (default: the SDK chain)')
    .option(
      '--wait <seconds>',
      'how long to wait for a running owner to stop',
      integer('--wait', 1),
      120
    )
    .option('--json', 'print JSON', false)
    .addHelpText(
      'after',
      `
Works for a deployed execution (StopExecution with error OperatorRollback first), a run-local or rehearse
still running on this host (SIGTERM: it aborts and restores itself; waited for), and one that was killed
(kill -9): the command takes the migration over, restores the snapshot, reads the records back and marks the
migration restored. A finished migration is only reported: exit 0 if its records are at its snapshot, 6 if
not. An unknown migration id: exit 4.
${ENDPOINTS}`
    )
    .action(
      async (
        migrationId: string,
        options: { registryTable: string; region?: string; wait: number; json: boolean }
      ) => {
        await run(async () => {
          const { rollback } = await import('./rollback.ts');
          const { wait, ...rest } = options;
          return rollback({ migrationId, waitSeconds: wait, ...rest });
        }, options.json);
      }
    );
}

/** report, registered last (after the gate and control commands) so the help order stays as it was. */
export function registerReportCommand(program: Command, run: Run): void {
  program
    .command('report')
    .description(
      'the HTML report of a deployed execution, rebuilt from its history (continuations followed)'
    )
    .argument('<arn>', 'execution ARN')
    .option('--out <file>', 'HTML report path (default reports/<execution name>.html)')
    .option(
      '--read-weights',
      "read the records' current weights from Route 53 for the end state",
      false
    )
    .option('--region <region>', 'AWS region (default: the ARN)')
    .option('--json', 'print a JSON summary', false)
    .addHelpText('after', ENDPOINTS)
    .action(
      async (
        arn: string,
        options: { out?: string; readWeights: boolean; region?: string; json: boolean }
      ) => {
        await run(async () => {
          const { reportExecution } = await import('./report-execution.ts');
          return reportExecution({ executionArn: arn, ...options });
        }, options.json);
      }
    );
}
