/**
 * The handlers' side of the migration registry: taking the records, checking that this execution still owns
 * them before a write, and finishing the entry. Kept out of the handlers so their own logic stays short.
 */
import { DriftDetectedError, PreflightFailedError, RegistryConflictError } from '../core/errors.ts';
import type { MigrationInput } from '../core/input.ts';
import { recordSetKey } from '../core/names.ts';
import { foreignDrift, ownsEntry, pendingAfter } from '../core/ownership.ts';
import {
  type MigrationEntry,
  MigrationPhase,
  type MigrationRegistry,
  type MigrationRunner,
} from '../core/registry.ts';
import type { RunIdentity, RunState, TrafficRouter } from '../core/state.ts';
import type { PairWeights, WeightedPair } from '../core/types.ts';

/** The entry a new run asks the registry for (phase preflight: locks taken, nothing written yet). */
export function preflightEntry(
  input: MigrationInput,
  run: Pick<RunIdentity, 'executionArn' | 'stateMachineArn' | 'startedAt'>,
  runner: MigrationRunner
): MigrationEntry {
  return {
    migrationId: input.migrationId,
    phase: MigrationPhase.Preflight,
    executionArn: run.executionArn,
    stateMachineArn: run.stateMachineArn,
    runner,
    generation: 1,
    recordSetKeys: [...new Set(input.records.map(recordSetKey))],
    records: input.records,
    mode: input.mode,
    onDrift: input.onDrift,
    snapshot: [],
    expected: [],
    pending: null,
    startedAt: run.startedAt,
    updatedAt: run.startedAt,
    reason: null,
    version: 0,
  };
}

export const ownerOf = (entry: MigrationEntry) => ({
  version: entry.version,
  executionArn: entry.executionArn,
});

/**
 * The registry entry of this run, when this execution still owns it.
 *
 * @throws DriftDetectedError when this execution already ended the migration on drift (a retried invocation).
 * @throws RegistryConflictError when the migration is finished or another execution owns it: no write.
 */
export async function ownedEntry(
  registry: MigrationRegistry,
  state: Pick<RunState, 'input' | 'run'>
): Promise<MigrationEntry> {
  const entry = await registry.get(state.input.migrationId);
  if (entry !== null && ownsEntry(entry, state.run.executionArn)) return entry;
  if (
    entry?.phase === MigrationPhase.StoppedOnDrift &&
    entry.executionArn === state.run.executionArn
  ) {
    throw new DriftDetectedError(
      `migration ${entry.migrationId} stopped on drift: ${entry.reason}`
    );
  }
  const found =
    entry === null
      ? 'no registry entry'
      : `registry entry ${entry.phase}, owned by ${entry.executionArn}`;
  throw new RegistryConflictError(
    `not writing: execution ${state.run.executionArn} no longer owns migration ${state.input.migrationId} (${found})`
  );
}

/**
 * Reads the records and checks them against the registry: every pair at the run's expected weights or at
 * the target of its write in flight. On someone else's change it ends the migration stopped on drift (with
 * `onDrift: stop`, leaving the weights as found) and throws; with `onDrift: rollback` it only throws.
 *
 * @throws DriftDetectedError naming the differences.
 */
export async function readOwnPairs(
  registry: MigrationRegistry,
  router: Pick<TrafficRouter, 'readPairs'>,
  entry: MigrationEntry,
  what: string
): Promise<WeightedPair[]> {
  const actual = await router.readPairs(entry.records);
  const drift = foreignDrift(actual, entry.expected, entry.pending);
  if (drift.length === 0) return actual;
  const reason = `weights changed outside this run, not ${what}: ${drift.join('; ')} (onDrift: ${entry.onDrift})`;
  if (entry.onDrift === 'stop') {
    await registry.finish(entry.migrationId, ownerOf(entry), MigrationPhase.StoppedOnDrift, reason);
  }
  throw new DriftDetectedError(reason);
}

/** Records the target of a write before sending it, so a retry recognises a partial write as its own. */
export function markPending(
  registry: MigrationRegistry,
  entry: MigrationEntry,
  pending: PairWeights[]
): Promise<MigrationEntry> {
  return registry.update(entry.migrationId, ownerOf(entry), {
    pending: pendingAfter(entry.pending, pending),
  });
}

/**
 * Runs the checks of a new run; when one refuses (PreflightFailedError), the records are released before the
 * error goes on, so a refused run leaves no lock. Transient errors keep the lock: the retried Preflight
 * re-acquires it idempotently, and if the retries run out, the run's end releases it.
 */
export async function releaseOnRefusal<T>(
  registry: MigrationRegistry,
  entry: MigrationEntry,
  checks: () => Promise<T>
): Promise<T> {
  try {
    return await checks();
  } catch (error) {
    if (error instanceof PreflightFailedError) {
      await registry.finish(
        entry.migrationId,
        ownerOf(entry),
        MigrationPhase.Released,
        error.message
      );
    }
    throw error;
  }
}

/**
 * A continuation's preflight: the predecessor handed the entry over to this execution before starting it, so
 * the registry (not the `resume` input, which anyone allowed to start the machine could write) says whether
 * this is a genuine continuation, and holds the snapshot and the weights the run expects.
 *
 * @throws PreflightFailedError when the registry names another owner.
 * @throws DriftDetectedError when the records changed during the handover.
 */
export async function takeOverContinuation(
  registry: MigrationRegistry,
  router: Pick<TrafficRouter, 'readPairs'>,
  previous: RunState,
  executionArn: string
): Promise<RunState> {
  const entry = await registry.get(previous.input.migrationId);
  if (entry === null || !ownsEntry(entry, executionArn) || entry.phase !== MigrationPhase.Running) {
    const found =
      entry === null ? 'no registry entry' : `${entry.phase}, owned by ${entry.executionArn}`;
    throw new PreflightFailedError(
      `preflight failed: resume is not a genuine continuation: migration ${previous.input.migrationId} is ${found}, not handed over to ${executionArn}`
    );
  }
  await readOwnPairs(registry, router, entry, 'continuing');
  return { ...previous, snapshot: entry.snapshot, expected: entry.expected };
}

/**
 * The entry when this execution already finished it in `phase`: a retried terminal handler whose first
 * invocation's reply was lost returns the same outcome instead of failing on the finished entry.
 */
export async function alreadyFinished(
  registry: MigrationRegistry,
  state: Pick<RunState, 'input' | 'run'>,
  phase: MigrationPhase
): Promise<MigrationEntry | null> {
  const entry = await registry.get(state.input.migrationId);
  return entry !== null && entry.phase === phase && entry.executionArn === state.run.executionArn
    ? entry
    : null;
}

/** Attempts of a handler whose conditional write lost a version race while it still owns the entry. */
const OWNED_RACE_ATTEMPTS = 4;

/**
 * Runs `attempt` (a handler's whole, idempotent body) again when its conditional write lost a version race
 * but this execution still owns the unfinished entry: an operator's gate answer (`gate`, `control`) bumps the
 * version from outside the run. Another owner, or a finished entry, still fails with RegistryConflictError.
 */
export async function againWhileOwned<T>(
  registry: MigrationRegistry,
  state: Pick<RunState, 'input' | 'run'>,
  attempt: () => Promise<T>
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof RegistryConflictError) || tries >= OWNED_RACE_ATTEMPTS) throw error;
      const entry = await registry.get(state.input.migrationId);
      if (!ownsEntry(entry, state.run.executionArn)) throw error;
    }
  }
}
