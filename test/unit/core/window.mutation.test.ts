/**
 * Pins what the table tests of evaluationWindow leave open (found by `npm run mutation`): which time is invalid.
 * Without the check, an invalid time still throws a RangeError, but from Date#toISOString, naming nothing.
 */
import { describe, expect, it } from 'vitest';
import { evaluationWindow } from '../../../functions/core/window.ts';

const metrics = { periodSeconds: 60, publicationDelaySeconds: 180, windowSeconds: 300 };
const valid = '2025-01-01T00:00:00Z';

describe('Function: evaluationWindow, invalid times', () => {
  it.each([
    { field: 'now', now: 'not a time', judgingFrom: valid, windowFrom: null },
    { field: 'judgingFrom', now: valid, judgingFrom: 'yesterday-ish', windowFrom: null },
    { field: 'windowFrom', now: valid, judgingFrom: valid, windowFrom: 'soon' },
  ])('names $field and its value', ({ field, now, judgingFrom, windowFrom }) => {
    // Act
    const judge = () => evaluationWindow(new Date(now), { judgingFrom, windowFrom }, metrics);

    // Assess
    const value =
      field === 'now' ? 'Invalid Date' : field === 'judgingFrom' ? judgingFrom : windowFrom;
    expect(judge).toThrow(
      new RangeError(`evaluationWindow: ${field} is not a valid time (${value})`)
    );
  });
});
