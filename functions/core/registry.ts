/**
 * The migration registry: who owns which weighted records, and what restores them.
 *
 * Ownership used to be inferred from execution listings, which Step Functions documents as eventually consistent
 * (aws-facts.md §9 #7): two near-simultaneous starts could both proceed, and a failed continuation left weights
 * with no owner. The registry is a DynamoDB table with conditional writes instead: one lock item per weighted
 * group (`recordSetKey`: canonical zone id, escaped lower-case name, type) naming its migration, and one entry per
 * migration holding its snapshot, its expected weights and its phase. Taking the locks is one transaction, so
 * exactly one of two rivals wins, whichever way they were started (console, schedule, CLI, run-local).
 */
import type { AuditEntry, ControlState } from './control.ts';
import type { GateState } from './gates.ts';
import type { RecordRef } from './input.ts';
import type { PairWeights, WeightedPair } from './types.ts';

/** Where a migration stands. Only `preflight` and `running` hold the records' locks. */
export const MigrationPhase = {
  /** Locks taken, checks under way; no snapshot yet, nothing written. */
  Preflight: 'preflight',
  /** Snapshot taken: the run may write. */
  Running: 'running',
  /** Green at 100 % after the final bake. */
  Completed: 'completed',
  /** The run's own rollback restored the snapshot. */
  RolledBack: 'rolled-back',
  /** Restored after the execution ended (abort, uncaught failure, timeout, `traffic-shift rollback`). */
  Restored: 'restored',
  /** Someone else changed the weights; they were left as found. */
  StoppedOnDrift: 'stopped-on-drift',
  /** Stopped with KeepWeights: the operator keeps the current weights. */
  KeptWeights: 'kept-weights',
  /** Ended before any write (preflight failed): nothing to restore. */
  Released: 'released',
} as const;
export type MigrationPhase = (typeof MigrationPhase)[keyof typeof MigrationPhase];

/** Phases that still own the records (their locks are held). */
export const UNFINISHED_PHASES: readonly MigrationPhase[] = [
  MigrationPhase.Preflight,
  MigrationPhase.Running,
];

/** Who runs the migration: a deployed state machine, or a local engine (run-local, rehearse) in some process. */
export type MigrationRunner =
  | { kind: 'step-functions' }
  | { kind: 'local'; pid: number; host: string };

/** One migration as the registry holds it. JSON only. */
export interface MigrationEntry {
  migrationId: string;
  phase: MigrationPhase;
  /** The execution that owns the records now: the current generation (continuations take it over). */
  executionArn: string;
  stateMachineArn: string;
  runner: MigrationRunner;
  generation: number;
  /** `recordSetKey` of every weighted group the migration shifts (the lock items). */
  recordSetKeys: string[];
  /** The parsed records (canonical zone ids and names). */
  records: RecordRef[];
  mode: 'shift' | 'observe';
  onDrift: 'stop' | 'rollback';
  /** The records as found before the first write (empty in `preflight`): what every restore writes back. */
  snapshot: WeightedPair[];
  /** The weights Route 53 holds by this run's doing when no write is in flight. */
  expected: PairWeights[];
  /**
   * The target of a write in flight (recorded before the write, cleared after it): a pair at either `expected`
   * or `pending` is this run's own, so a retried write finishes a partial multi-zone step instead of calling
   * its own first zone drift (a change batch is atomic only inside one hosted zone).
   */
  pending: PairWeights[] | null;
  /** When the first generation started (ISO-8601). */
  startedAt: string;
  updatedAt: string;
  /** Why it is in its phase (for finished phases). */
  reason: string | null;
  /** Incremented by every write; conditional writes compare it. */
  version: number;
  /** The approval gate the run waits at (or last waited at), core/gates.ts; absent: never gated. */
  gate?: GateState;
  /**
   * Operator requests (pause, promote) and the append-only audit trail (core/control.ts). Written by the CLI
   * with its own compare-and-swap on `control.revision` (adapters/dynamodb-control-store.ts), conditional on
   * `version` but without bumping it, so an operator's request never makes the owner's next write conflict.
   * Gates append their answers (approve, reject, gate-timeout) to the same trail.
   */
  control?: ControlState;
}

/** One line of the append-only operator audit trail (`control.audit`). */
export type GateAuditEntry = AuditEntry;

/** What `update` may change in an unfinished entry. */
export type EntryChanges = Partial<
  Pick<
    MigrationEntry,
    | 'phase'
    | 'executionArn'
    | 'generation'
    | 'snapshot'
    | 'expected'
    | 'pending'
    | 'runner'
    | 'gate'
    | 'control'
  >
>;

/** The registry port (adapters/dynamodb-migration-registry.ts). */
export interface MigrationRegistry {
  /**
   * Creates (or replaces a finished) entry and takes the lock of every record set, in one transaction.
   * Idempotent for the same migration and execution (a retried Preflight).
   *
   * @throws RunLockedError naming the owning migration (and `traffic-shift rollback <id>`) when another
   *   unfinished migration holds any of the record sets, or the migration id is in use by another execution.
   */
  acquire(entry: MigrationEntry): Promise<MigrationEntry>;
  /** The entry, or null when the registry never saw the migration. */
  get(migrationId: string): Promise<MigrationEntry | null>;
  /** The unfinished migration holding this record set, if any. */
  ownerOf(recordSetKey: string): Promise<string | null>;
  /**
   * Changes an unfinished entry if its version is still `expectedVersion` and `executionArn` still owns it.
   *
   * @throws RegistryConflictError when either condition fails (someone else moved it on).
   */
  update(
    migrationId: string,
    expected: { version: number; executionArn: string },
    changes: EntryChanges
  ): Promise<MigrationEntry>;
  /**
   * Moves the entry to a finished phase and releases its record-set locks in one transaction.
   * Idempotent: finishing an already finished entry returns it unchanged.
   *
   * @throws RegistryConflictError when `expected` no longer holds.
   */
  finish(
    migrationId: string,
    expected: { version: number; executionArn: string },
    phase: Exclude<MigrationPhase, 'preflight' | 'running'>,
    reason: string
  ): Promise<MigrationEntry>;
  /** Every unfinished entry (the reconciler's worklist). */
  listUnfinished(): Promise<MigrationEntry[]>;
}
