/**
 * What the command definitions share: the action runner's type, the exit-code and endpoint help texts, and
 * commander's argument parsers for numeric options.
 */
import { InvalidArgumentError } from 'commander';

/** Runs a command's action and records its exit code (program.ts `main`, or a test's capture). */
export type Run = (action: () => Promise<number> | number, json: boolean) => Promise<void>;

export const EXIT_CODES = `
Exit codes:
  0  completed (or the command did what it was asked)
  1  error (AWS call failed, execution not found, execution failed for another reason)
  2  rolled back
  3  aborted (Ctrl-C, SIGTERM, SIGHUP, --abort-at-step, abort)
  4  invalid input (the offending fields are named; nothing was started)
  5  stopped on drift
  6  rollback: the migration is finished and its records are not at its snapshot (nothing was changed)
  7  refused by preflight (records owned by another unfinished migration, or not as the run needs them; nothing was written)
  8  unknown migration or execution (pause, resume, promote, approve, reject, status, abort)
  9  the migration is finished: nothing to pause, resume, promote, approve, reject or abort
  10 approve/reject: no open approval gate (or already answered)`;

export const ENDPOINTS = `
Endpoints and credentials come from the AWS SDK's default chain: AWS_REGION / AWS_PROFILE, and the
standard endpoint variables (AWS_ENDPOINT_URL_SFN, AWS_ENDPOINT_URL_ROUTE_53, AWS_ENDPOINT_URL_CLOUDWATCH,
AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL). None set: the real account.`;

export function integer(name: string, min = 0) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`${name} must be an integer >= ${min}.`);
    return parsed;
  };
}

export function nonNegative(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0)
      throw new InvalidArgumentError(`${name} must be a number >= 0.`);
    return parsed;
  };
}

export function timeScale(value: string): number | 'max' {
  if (value === 'max') return 'max';
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError('must be a number > 0, or max.');
  return parsed;
}
