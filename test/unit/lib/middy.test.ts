import { describe, expect, it } from 'vitest';
import { fakeContext } from '../../../cli/local-engine.ts';
import { lambda } from '../../../functions/lib/middy.ts';

describe('Function: lambda (middy stack)', () => {
  it('turns the early timeout into HandlerTimeoutError, a name the busy retriers match', async () => {
    // Prepare: 30 ms left; the handler would need a second
    const handler = lambda(
      () => new Promise((resolve) => setTimeout(() => resolve('late'), 1_000))
    );
    const context = { ...fakeContext('traffic-shift-X'), getRemainingTimeInMillis: () => 30 };

    // Act
    const outcome = await handler(undefined as never, context).catch((error: unknown) => error);

    // Assess
    expect(outcome).toMatchObject({ name: 'HandlerTimeoutError' });
  });
});
