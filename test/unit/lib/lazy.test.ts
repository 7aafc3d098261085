import { describe, expect, it } from 'vitest';
import { lazy } from '../../../functions/lib/lazy.ts';

class Counter {
  count = 0;
  add(by: number): number {
    this.count += by;
    return this.count;
  }
}

describe('Function: lazy', () => {
  it('builds nothing until first used, then once, with methods bound to the instance', () => {
    // Prepare
    let built = 0;
    const counter = lazy(() => {
      built += 1;
      return new Counter();
    });

    // Act + Assess
    expect(built).toBe(0);
    const { add } = counter;
    expect(add(2)).toBe(2);
    expect(counter.add(3)).toBe(5);
    expect(counter.count).toBe(5);
    expect(built).toBe(1);
  });
});
