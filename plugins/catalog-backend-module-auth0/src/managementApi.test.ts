import { retryDelayMs } from './managementApi';

describe('retryDelayMs', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('waits as Retry-After says, at most a minute', () => {
    expect(retryDelayMs(new Headers({ 'retry-after': '3' }), 0, now)).toBe(
      3_000,
    );
    expect(retryDelayMs(new Headers({ 'retry-after': '600' }), 0, now)).toBe(
      60_000,
    );
  });

  it("waits until Auth0's X-RateLimit-Reset (Unix seconds) without Retry-After", () => {
    const reset = String(now / 1000 + 2);
    expect(
      retryDelayMs(new Headers({ 'x-ratelimit-reset': reset }), 0, now),
    ).toBe(2_000);
  });

  it('backs off exponentially without either header, or with a reset in the past', () => {
    const past = new Headers({ 'x-ratelimit-reset': String(now / 1000 - 5) });
    expect(retryDelayMs(new Headers(), 0, now)).toBe(1_000);
    expect(retryDelayMs(new Headers(), 2, now)).toBe(4_000);
    expect(retryDelayMs(past, 1, now)).toBe(2_000);
    expect(retryDelayMs(new Headers(), 10, now)).toBe(60_000);
  });
});
