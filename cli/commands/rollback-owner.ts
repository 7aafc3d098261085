/**
 * `traffic-shift rollback`, first half: stop whoever still runs the migration before its records are
 * restored. A deployed execution gets StopExecution (error `OperatorRollback`: on-execution-end then
 * restores the same snapshot too, never keeps the weights, so the two restores agree); a local run
 * (run-local, rehearse) on this host gets SIGTERM, which aborts it and lets its own on-execution-end
 * restore, and is waited for. A local run that is gone (kill -9) or on another host is taken over.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { StepFunctionsControl } from '../../functions/adapters/step-functions-control.ts';
import { StepFunctionsRejectedError } from '../../functions/core/errors.ts';
import type { MigrationEntry } from '../../functions/core/registry.ts';
import { CliError, ExitCode, regionOfArn, sfnClient } from './common.ts';

/** The StopExecution error of a rollback: not KeepWeights, so on-execution-end restores as well. */
export const OPERATOR_ROLLBACK_ERROR = 'OperatorRollback';

const POLL_MS = 250;

export interface StopOwnerOptions {
  /** How long to wait for the owner to stop. */
  waitSeconds: number;
  /** The region for Step Functions when the ARN names none. */
  region: string;
  say: (text: string) => void;
}

/** What happened to the owner: `stopped` (it ran and was stopped), `gone` (not running), `remote`. */
export type OwnerStop = 'stopped' | 'gone' | 'remote';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but someone else's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether a live pid still looks like a Node process (the run-local that registered it), not an unrelated
 * process that reused the pid after a kill -9. Linux only (/proc); elsewhere the pid is trusted.
 */
function looksLikeNode(pid: number): boolean {
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return false;
  }
}

/**
 * Whether the process with this pid started after the migration did: then it reused the pid of the killed run
 * (macOS wraps pids at 99,999; /proc is not there to tell a Node process apart) and must not be signalled.
 * `ps -o lstart=` (local time, 1 s resolution) exists on Linux and macOS; when it fails the pid is trusted.
 */
function startedAfter(pid: number, startedAt: string): boolean {
  try {
    const started = Date.parse(
      execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' }).trim()
    );
    return started > Date.parse(startedAt) + 2_000;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => Promise<boolean> | boolean, seconds: number) {
  const until = Date.now() + seconds * 1_000;
  while (Date.now() < until) {
    if (await condition()) return true;
    await sleep(POLL_MS);
  }
  return condition();
}

async function stopLocal(
  entry: MigrationEntry & { runner: { kind: 'local' } },
  options: StopOwnerOptions
): Promise<OwnerStop> {
  const { pid, host } = entry.runner;
  if (host !== hostname()) {
    options.say(
      `its local run (pid ${pid}) is on host ${host}, not this one: taking the migration over; that run's next write is refused`
    );
    return 'remote';
  }
  if (
    pid === process.pid ||
    !isAlive(pid) ||
    !looksLikeNode(pid) ||
    startedAfter(pid, entry.startedAt)
  ) {
    options.say(`its local run (pid ${pid}) is gone (killed?)`);
    return 'gone';
  }
  options.say(`its local run (pid ${pid}) is still running: SIGTERM, waiting for it to abort`);
  try {
    process.kill(pid, 'SIGTERM');
  } catch (error) {
    throw new CliError(
      `cannot signal pid ${pid} (${(error as Error).message}): stop it yourself, then run traffic-shift rollback ${entry.migrationId} again`
    );
  }
  if (!(await waitUntil(() => !isAlive(pid), options.waitSeconds))) {
    throw new CliError(
      `pid ${pid} still runs ${options.waitSeconds} s after SIGTERM; nothing was changed. Stop it (kill -9 ${pid}) and run traffic-shift rollback ${entry.migrationId} again`,
      ExitCode.Error
    );
  }
  return 'stopped';
}

async function stopExecution(entry: MigrationEntry, options: StopOwnerOptions): Promise<OwnerStop> {
  const arn = entry.executionArn;
  const control = new StepFunctionsControl(sfnClient(regionOfArn(arn) ?? options.region));
  const statusOf = async () => {
    try {
      return (await control.describe(arn)).status;
    } catch (error) {
      if (error instanceof StepFunctionsRejectedError && /does ?not ?exist/i.test(error.message))
        return 'NOT_FOUND';
      throw error;
    }
  };
  const status = await statusOf();
  if (status !== 'RUNNING') {
    options.say(`its execution ${arn} is ${status}`);
    return 'gone';
  }
  options.say(`stopping its execution ${arn} (StopExecution, error ${OPERATOR_ROLLBACK_ERROR})`);
  await control.stop(arn, OPERATOR_ROLLBACK_ERROR, `traffic-shift rollback ${entry.migrationId}`);
  if (!(await waitUntil(async () => (await statusOf()) !== 'RUNNING', options.waitSeconds))) {
    throw new CliError(
      `${arn} still reads RUNNING ${options.waitSeconds} s after StopExecution; nothing was changed. Run traffic-shift rollback ${entry.migrationId} again`
    );
  }
  return 'stopped';
}

/** Stops the run that owns an unfinished entry (see the file comment). */
export function stopOwner(entry: MigrationEntry, options: StopOwnerOptions): Promise<OwnerStop> {
  const { runner } = entry;
  return runner.kind === 'local'
    ? stopLocal({ ...entry, runner }, options)
    : stopExecution(entry, options);
}
