/**
 * Auth0's documented /userinfo limit for a user: 5 requests a minute, with bursts of up
 * to 10. Modelled as a token bucket per user that holds 10 and refills 5 a minute.
 */
export const userinfoLimit = { burst: 10, perMinute: 5 };

export type RateLimitDecision = {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the next request would be allowed (0 when allowed now). */
  retryAfterSeconds: number;
  /** Unix time (seconds) at which the bucket is full again. */
  resetAt: number;
};

export type UserinfoRateLimiter = {
  take(sub: string, now?: number): RateLimitDecision;
  reset(): void;
};

export function createUserinfoRateLimiter(
  limit = userinfoLimit,
): UserinfoRateLimiter {
  const refillPerMs = limit.perMinute / 60_000;
  let buckets = new Map<string, { tokens: number; at: number }>();

  return {
    take(sub, now = Date.now()) {
      const previous = buckets.get(sub) ?? { tokens: limit.burst, at: now };
      const tokens = Math.min(
        limit.burst,
        previous.tokens + (now - previous.at) * refillPerMs,
      );
      const allowed = tokens >= 1;
      const left = allowed ? tokens - 1 : tokens;
      buckets.set(sub, { tokens: left, at: now });
      return {
        allowed,
        limit: limit.burst,
        remaining: Math.floor(left),
        retryAfterSeconds: allowed
          ? 0
          : Math.ceil((1 - left) / refillPerMs / 1000),
        resetAt: Math.ceil((now + (limit.burst - left) / refillPerMs) / 1000),
      };
    },
    reset() {
      buckets = new Map();
    },
  };
}
