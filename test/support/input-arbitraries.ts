/** fast-check arbitraries for input sections both generated-input tests draw from (bounds as in input.ts). */
import fc from 'fast-check';

export const limitsArb = fc.record(
  {
    maxFailures: fc.integer({ min: 0, max: 1_000 }),
    maxConsecutiveFailures: fc.integer({ min: 0, max: 1_000 }),
    maxInconclusive: fc.integer({ min: 0, max: 100_000 }),
    onInconclusiveLimit: fc.constantFrom('hold' as const, 'rollback' as const),
    maxConsecutiveErrors: fc.integer({ min: 0, max: 1_000 }),
  },
  { requiredKeys: [] }
);

export const dnsArb = fc.record(
  {
    maxTtlSeconds: fc.integer({ min: 0, max: 86_400 }),
    syncPollSeconds: fc.integer({ min: 1, max: 300 }),
    maxSyncWaitSeconds: fc.integer({ min: 60, max: 3_600 }),
  },
  { requiredKeys: [] }
);
