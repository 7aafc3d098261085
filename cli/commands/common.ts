/**
 * What the commands share: reading and validating an input file (before any AWS call), exit codes,
 * output in text or JSON, Step Functions clients and ARNs, execution names and console links.
 */
import { readFileSync } from 'node:fs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { InvalidInputError } from '../../functions/core/errors.ts';
import { type MigrationInput, parseMigrationInput } from '../../functions/core/input.ts';
import { ExitCode } from '../rehearsal.ts';

export { ExitCode };

/** A failure the CLI reports as one message and an exit code (no stack trace). */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: number;
  readonly details: Record<string, unknown>;
  constructor(
    message: string,
    exitCode: number = ExitCode.Error,
    details: Record<string, unknown> = {}
  ) {
    super(message);
    this.exitCode = exitCode;
    this.details = details;
  }
}

export interface LoadedInput {
  path: string;
  raw: unknown;
  input: MigrationInput;
}

/**
 * Reads a migration input file and validates it.
 *
 * @throws CliError with ExitCode.InvalidInput naming each offending field (`records[0].hostedZoneId: ...`).
 */
export function loadInput(path: string): LoadedInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, ExitCode.InvalidInput, {
      issues: [{ path: '(file)', rule: (error as Error).message }],
    });
  }
  let raw: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark; JSON.parse refuses it.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new CliError(`${path} is not JSON: ${(error as Error).message}`, ExitCode.InvalidInput, {
      issues: [{ path: '(root)', rule: `not JSON: ${(error as Error).message}` }],
    });
  }
  try {
    return { path, raw, input: parseMigrationInput(raw) };
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const lines = error.issues.map((issue) => `  ${issue.path || '(root)'}: ${issue.rule}`);
    throw new CliError(`invalid input in ${path}:\n${lines.join('\n')}`, ExitCode.InvalidInput, {
      issues: error.issues,
    });
  }
}

export interface Output {
  json: boolean;
  out: (text: string) => void;
  err: (text: string) => void;
}

export function output(json: boolean): Output {
  return {
    json,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Reports a CliError (or anything thrown) and returns the exit code for it. */
export function reportFailure(error: unknown, json: boolean): number {
  if (error instanceof CliError) {
    if (json) {
      printJson({
        outcome: error.exitCode === ExitCode.InvalidInput ? 'invalid-input' : 'error',
        exitCode: error.exitCode,
        error: error.message,
        ...error.details,
      });
    }
    process.stderr.write(`traffic-shift: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (json) printJson({ outcome: 'error', exitCode: ExitCode.Error, error: message });
  process.stderr.write(`traffic-shift: ${message}\n`);
  return ExitCode.Error;
}

/** Parses a non-negative integer option. */
export function integer(name: string, min = 0) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min)
      throw new CliError(`${name} must be an integer >= ${min} (got ${value})`);
    return parsed;
  };
}

/** Parses a positive number option. */
export function positive(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new CliError(`${name} must be a number > 0 (got ${value})`);
    return parsed;
  };
}

// ---------- Step Functions ----------

/**
 * A Step Functions client from the default provider chain (credentials, region, and the standard
 * `AWS_ENDPOINT_URL_SFN` / `AWS_ENDPOINT_URL` endpoint variables, which the SDK reads itself).
 */
export function sfnClient(region?: string): SFNClient {
  return new SFNClient(region === undefined ? {} : { region });
}

export async function regionOf(client: {
  config: { region: () => Promise<string> };
}): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    throw new CliError(
      'no AWS region: set AWS_REGION (or a profile with a region), or pass --region'
    );
  }
}

const STATE_MACHINE_ARN =
  /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;
const EXECUTION_ARN =
  /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_-]{1,80}$/;

export function checkExecutionArn(arn: string): string {
  if (!EXECUTION_ARN.test(arn)) {
    throw new CliError(
      `not an execution ARN: ${arn} (expected arn:aws:states:<region>:<account>:execution:<state machine>:<name>)`
    );
  }
  return arn;
}

/** The region an ARN names (`arn:aws:states:eu-west-1:...` -> `eu-west-1`). */
export function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The state machine to use: `--state-machine-arn` as given, or derived from `--stack` with the template's
 * naming rule (`Name: ${AWS::StackName}-traffic-shift`) plus `--account` and the region. The CLI carries
 * no CloudFormation or STS client, so it cannot look the output or the account up itself.
 */
export function resolveStateMachineArn(
  options: { stateMachineArn?: string; stack?: string; account?: string },
  region: string
): string {
  if (options.stateMachineArn !== undefined) {
    if (!STATE_MACHINE_ARN.test(options.stateMachineArn)) {
      throw new CliError(`not a state machine ARN: ${options.stateMachineArn}`);
    }
    return options.stateMachineArn;
  }
  if (options.stack === undefined) {
    throw new CliError(
      'name the state machine: --state-machine-arn ARN, or --stack NAME with --account ID (see --help)'
    );
  }
  if (options.account === undefined || !/^\d{12}$/.test(options.account)) {
    throw new CliError('--stack needs --account <12-digit account ID> (the CLI does not call STS)');
  }
  const name = `${options.stack}-traffic-shift`;
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name))
    throw new CliError(`stack name ${options.stack} does not give a valid state machine name`);
  return `arn:${partitionOf(region)}:states:${region}:${options.account}:stateMachine:${name}`;
}

/** `20260102T030405Z` */
export function compactUtc(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The execution name for a migration: the migration id reduced to `[0-9A-Za-z_-]`, plus a UTC timestamp,
 * at most 80 characters (Step Functions' limit).
 *
 * @example
 * executionName('orders-api', new Date('2026-01-02T03:04:05Z')); // => 'orders-api-20260102T030405Z'
 */
export function executionName(migrationId: string, now: Date): string {
  const suffix = `-${compactUtc(now)}`;
  const base =
    migrationId.replace(/[^0-9A-Za-z_-]/g, '-').slice(0, 80 - suffix.length) || 'migration';
  return `${base}${suffix}`;
}

export function checkExecutionName(name: string): string {
  if (!/^[0-9A-Za-z_-]{1,80}$/.test(name)) {
    throw new CliError(`--name must be 1-80 characters of 0-9 A-Z a-z _ - (got ${name})`);
  }
  return name;
}

/** The Step Functions console page of an execution. */
export function consoleUrl(executionArn: string): string {
  const region = regionOfArn(executionArn) ?? 'us-east-1';
  const host =
    partitionOf(region) === 'aws-cn'
      ? `${region}.console.amazonaws.cn`
      : `${region}.console.aws.amazon.com`;
  return `https://${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
