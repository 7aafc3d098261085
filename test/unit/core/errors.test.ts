import { describe, expect, it } from 'vitest';
import * as errors from '../../../functions/core/errors.ts';
import {
  ERROR_NAMES,
  InvalidInputError,
  RunLockedError,
  TrafficShiftError,
} from '../../../functions/core/errors.ts';

const classes = Object.entries(errors).filter(
  ([name, value]) => typeof value === 'function' && name !== 'TrafficShiftError'
) as [string, new (message: string, options?: ErrorOptions) => Error][];

describe('errors', () => {
  it('lists every error class the state machine may match, and only those', () => {
    // Assess
    expect(classes.map(([name]) => name).sort()).toEqual([...ERROR_NAMES].sort());
  });

  it.each(classes)(
    '%s has its class name as a literal name (survives minification)',
    (className, ErrorClass) => {
      // Act
      const error =
        ErrorClass === (RunLockedError as unknown)
          ? new RunLockedError('records locked: owned by run-1', 'arn:run-1')
          : ErrorClass === (InvalidInputError as unknown)
            ? new InvalidInputError([{ path: 'plan', rule: 'is required' }])
            : new ErrorClass('what failed: context', { cause: new Error('root') });

      // Assess
      expect(error.name).toBe(className);
      expect(error).toBeInstanceOf(TrafficShiftError);
      expect(error).toBeInstanceOf(Error);
    }
  );

  it('keeps the cause', () => {
    // Prepare
    const cause = new Error('PriorRequestNotComplete');

    // Act
    const error = new errors.Route53BusyError('route 53 busy: Z1', { cause });

    // Assess
    expect(error.cause).toBe(cause);
  });

  it('names the base class', () => {
    // Act + Assess
    expect(new TrafficShiftError('x').name).toBe('TrafficShiftError');
  });

  it('names the owner of a lock', () => {
    // Act
    const error = new RunLockedError(
      'records locked',
      'arn:aws:states:eu-west-1:123456789012:execution:sm:run-1'
    );

    // Assess
    expect(error.ownerExecutionArn).toBe(
      'arn:aws:states:eu-west-1:123456789012:execution:sm:run-1'
    );
  });

  it.each([
    {
      issues: [{ path: 'plan.bakeSeconds', rule: 'must be >= 60' }],
      message: 'invalid input: plan.bakeSeconds: must be >= 60',
    },
    { issues: [{ path: '', rule: 'is required' }], message: 'invalid input: (root): is required' },
    {
      issues: [
        { path: 'migrationId', rule: 'is required' },
        { path: 'records', rule: 'is required' },
      ],
      message: 'invalid input: migrationId: is required; records: is required',
    },
  ])('writes "$message"', ({ issues, message }) => {
    // Act
    const error = new InvalidInputError(issues);

    // Assess
    expect(error.message).toBe(message);
    expect(error.issues).toEqual(issues);
  });
});
