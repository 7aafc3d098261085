/**
 * The operator control commands (pause, resume, promote) as commander definitions, registered by
 * program.ts with one call. Their actions live in control.ts.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  DEFAULT_PAUSE_SECONDS,
  PAUSE_MAX_SECONDS,
  PAUSE_MIN_SECONDS,
} from '../../functions/core/control.ts';

import type { Run } from './program-options.ts';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/**
 * `90s`, `30m`, `4h`, `2d` or plain seconds, within the pause bounds.
 *
 * @example
 * durationSeconds('4h'); // => 14_400
 */
export function durationSeconds(value: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  const seconds = match === null ? Number.NaN : Number(match[1]) * (UNITS[match[2] || 's'] ?? 1);
  if (!Number.isInteger(seconds) || seconds < PAUSE_MIN_SECONDS || seconds > PAUSE_MAX_SECONDS) {
    throw new InvalidArgumentError(
      `must be a duration from 60s to 14d (e.g. 90s, 30m, 4h, 2d; got ${value}).`
    );
  }
  return seconds;
}

const HANDLE_HELP =
  'the migrationId, or the execution ARN of any generation (continuations followed)';

export const CONTROL_HELP = `
Requests are stored in the migration's registry entry and read by the run at its next evaluation (every
plan.evaluationIntervalSeconds), with an audit line (who, when, why) that status and the report show. Who: the STS
caller ARN for a deployed execution; TRAFFIC_SHIFT_OPERATOR when set, else $USER@host, for a local run.
Exit codes: 0 stored; 4 refused (e.g. resume when not paused, --full without --reason); 8 unknown migration or
execution; 9 the migration is finished (nothing to control), or the ARN is of an earlier run of a reused migrationId;
1 AWS error.`;

function common(command: Command): Command {
  return command
    .option(
      '--registry-table <name>',
      'migration registry table (DynamoDB)',
      'traffic-shift-migrations'
    )
    .option('--region <region>', 'AWS region (default: the ARN, else the SDK chain)')
    .option('--json', 'print JSON', false)
    .addHelpText('after', CONTROL_HELP);
}

interface CommonOptions {
  registryTable: string;
  region?: string;
  json: boolean;
}

/** Adds pause, resume and promote to the program. */
export function registerControlCommands(program: Command, run: Run): void {
  common(
    program
      .command('pause')
      .description(
        'hold a running migration at its current weights (judging goes on, a regression still rolls back) until resume or the timeout'
      )
      .argument('<migration>', HANDLE_HELP)
      .option(
        '--timeout <duration>',
        'how long the pause may last (60s..14d)',
        durationSeconds,
        DEFAULT_PAUSE_SECONDS
      )
      .addOption(
        new Option('--on-timeout <action>', 'what happens when nobody resumes in time')
          .choices(['rollback', 'resume'])
          .default('rollback')
      )
      .option('--reason <text>', 'why (recorded in the audit trail)')
  ).action(
    async (
      handle: string,
      options: CommonOptions & {
        timeout: number;
        onTimeout: 'rollback' | 'resume';
        reason?: string;
      }
    ) => {
      await run(async () => {
        const { controlCommand } = await import('./control.ts');
        const { timeout, onTimeout, reason, ...rest } = options;
        return controlCommand({
          handle,
          ...rest,
          request: {
            action: 'pause',
            timeoutSeconds: timeout,
            onTimeout,
            ...(reason === undefined ? {} : { reason }),
          },
        });
      }, options.json);
    }
  );

  common(
    program
      .command('resume')
      .description('end a pause: the run advances again when its bake is over')
      .argument('<migration>', HANDLE_HELP)
      .option('--reason <text>', 'why (recorded in the audit trail)')
  ).action(async (handle: string, options: CommonOptions & { reason?: string }) => {
    await run(async () => {
      const { controlCommand } = await import('./control.ts');
      const { reason, ...rest } = options;
      return controlCommand({
        handle,
        ...rest,
        request: { action: 'resume', ...(reason === undefined ? {} : { reason }) },
      });
    }, options.json);
  });

  common(
    program
      .command('promote')
      .description(
        'skip the remaining bakes: to 100 % at the next clean evaluation (stopping at any approval gate on the way), then the final bake and its analysis; --full: 100 % now, past any gate, and complete without analysis'
      )
      .argument('<migration>', HANDLE_HELP)
      .option(
        '--full',
        '100 % now, complete without the final bake or any analysis (needs --reason)',
        false
      )
      .option(
        '--reason <text>',
        'why (recorded in the audit trail and, with --full, in the outcome)'
      )
  ).action(async (handle: string, options: CommonOptions & { full: boolean; reason?: string }) => {
    await run(async () => {
      const { controlCommand } = await import('./control.ts');
      const { full, reason, ...rest } = options;
      return controlCommand({
        handle,
        ...rest,
        request: { action: 'promote', full, ...(reason === undefined ? {} : { reason }) },
      });
    }, options.json);
  });
}
