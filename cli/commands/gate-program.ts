/**
 * The approval gate commands (approve, reject) as commander definitions, registered by program.ts with one
 * call. Their action lives in gate.ts.
 */
import type { Command } from 'commander';

import type { Run } from './program-options.ts';

export function registerGateCommands(program: Command, run: Run, endpoints: string): void {
  for (const action of ['approve', 'reject'] as const) {
    program
      .command(action)
      .description(
        action === 'approve'
          ? 'approve the approval gate (plan.gates) a migration waits at: the run shifts to the gated step'
          : 'reject the approval gate (plan.gates) a migration waits at: the run rolls back (GateRejectedError)'
      )
      .argument('<migrationId>', "the migration (its input's migrationId)")
      .option('--reason <text>', 'why, for the audit trail and the rollback cause')
      .option(
        '--registry-table <name>',
        'migration registry table (DynamoDB)',
        'traffic-shift-migrations'
      )
      .option('--region <region>', 'AWS region (default: the SDK chain)')
      .option('--json', 'print JSON', false)
      .addHelpText(
        'after',
        `
The answer and who gave it (STS caller ARN for a deployed execution, $USER@host for a local run) go into
the migration's registry entry first; a deployed execution then gets SendTaskSuccess/SendTaskFailure, a
local run takes it at its gate's next check (within one evaluation interval).
Exit codes: 0 answered, 8 unknown migration, 9 migration finished, 10 no open gate (or already answered), 1 error.
${endpoints}`
      )
      .action(
        async (
          migrationId: string,
          options: { reason?: string; registryTable: string; region?: string; json: boolean }
        ) => {
          await run(async () => {
            const { gateCommand } = await import('./gate.ts');
            return gateCommand({ migrationId, action, ...options });
          }, options.json);
        }
      );
  }
}
