import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateBudget } from '../../src/import/rate-limit.js';

const headers = (remaining: number, resetS: number, limit = 20) =>
  new Headers({
    'x-ratelimit-remaining': String(remaining),
    'x-ratelimit-reset': String(resetS),
    'x-ratelimit-limit': String(limit),
  });

describe('RateBudget', () => {
  it('one request probes alone until an answer tells the budget', () => {
    const budget = new RateBudget(() => 0);
    expect(budget.allows(0)).toBe(true);
    expect(budget.allows(1)).toBe(false);
    budget.observe(headers(5, 1));
    expect(budget.allows(4)).toBe(true);
    expect(budget.allows(5)).toBe(false);
  });

  it('answers read in any order within a window leave the lowest remaining count', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([19, 18, 17, 16, 15, 14, 13], { minLength: 1 }), (order) => {
        let now = 0;
        const budget = new RateBudget(() => now);
        for (const remaining of order) {
          now += 1;
          budget.observe(headers(remaining, 1));
        }
        const lowest = Math.min(...order);
        expect(budget.allows(lowest - 1)).toBe(true);
        expect(budget.allows(lowest)).toBe(false);
      }),
    );
  });

  it('a new window gives the whole limit again once the announced reset has passed', () => {
    let now = 0;
    const budget = new RateBudget(() => now);
    budget.observe(headers(0, 2));
    expect(budget.allows(0)).toBe(false);
    expect(budget.resetInMs()).toBe(2000);
    now = 2000;
    expect(budget.allows(19)).toBe(true);
    budget.observe(headers(18, 1));
    expect(budget.allows(18)).toBe(false);
  });
});
