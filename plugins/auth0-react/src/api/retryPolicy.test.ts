import {
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  retryDelayMs,
} from './retryPolicy';

describe('retryDelayMs', () => {
  it('doubles after each failure and stops growing at 60 s', () => {
    const longest = (attempt: number) =>
      retryDelayMs(attempt, undefined, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(longest)).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it('jitters within the upper half of each step', () => {
    expect(retryDelayMs(3, undefined, () => 0)).toBe(4_000);
    expect(retryDelayMs(3, undefined, () => 0.5)).toBe(6_000);
    expect(retryDelayMs(3, undefined, () => 1)).toBe(8_000);
    expect(retryDelayMs(50, undefined, () => 0)).toBe(MAX_BACKOFF_MS / 2);
  });

  it("never retries before the backend's Retry-After", () => {
    expect(retryDelayMs(1, 30_000, () => 1)).toBe(30_000);
    expect(retryDelayMs(6, 30_000, () => 1)).toBe(60_000);
    expect(retryDelayMs(6, 90_000, () => 1)).toBe(90_000);
  });

  it('takes an absurd Retry-After as five minutes', () => {
    expect(retryDelayMs(1, 24 * 3600_000, () => 0)).toBe(MAX_RETRY_AFTER_MS);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-03-02T10:00:00Z');

  it('reads seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Mon, 02 Mar 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 02 Mar 2026 09:59:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
