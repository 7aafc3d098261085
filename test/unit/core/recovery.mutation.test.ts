/**
 * The status planRecovery's table leaves open (found by `npm run mutation`): a run waiting for its redrive is
 * still live, and restoring its snapshot would fight the redriven run.
 */
import { describe, expect, it } from 'vitest';
import { planRecovery } from '../../../functions/core/recovery.ts';

describe('Function: planRecovery, a pending redrive', () => {
  it('leaves a PENDING_REDRIVE execution alone, even away from its snapshot', () => {
    // Act
    const plan = planRecovery({
      status: 'PENDING_REDRIVE',
      error: null,
      hasSnapshot: true,
      supersededBy: null,
      atSnapshot: false,
      observeOnly: false,
    });

    // Assess
    expect(plan).toEqual({
      action: 'skip',
      reason: 'execution PENDING_REDRIVE: nothing to recover',
    });
  });
});
