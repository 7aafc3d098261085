/**
 * The registry's stored vocabulary. Phases are written to DynamoDB and read back by every later execution, the
 * reconciler and the CLI (status, rollback), possibly of another version: a renamed phase would strand the
 * entries already stored under the old name. The values are the ones docs/design.md "Migration registry" lists.
 */
import { describe, expect, it } from 'vitest';
import { KEEP_WEIGHTS_ERROR } from '../../../functions/core/recovery.ts';
import { MigrationPhase, UNFINISHED_PHASES } from '../../../functions/core/registry.ts';

describe('Registry: stored values', () => {
  it('the phases as stored', () => {
    expect(MigrationPhase).toEqual({
      Preflight: 'preflight',
      Running: 'running',
      Completed: 'completed',
      RolledBack: 'rolled-back',
      Restored: 'restored',
      StoppedOnDrift: 'stopped-on-drift',
      KeptWeights: 'kept-weights',
      Released: 'released',
    });
  });

  it('only preflight and running hold the locks', () => {
    expect([...UNFINISHED_PHASES].sort()).toEqual(['preflight', 'running']);
  });

  it('the StopExecution error an operator keeps the weights with (the README and `abort --keep-weights` name it)', () => {
    expect(KEEP_WEIGHTS_ERROR).toBe('KeepWeights');
  });
});
