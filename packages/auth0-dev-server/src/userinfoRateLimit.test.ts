import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUserinfoRateLimiter } from './userinfoRateLimit.ts';

describe('the /userinfo rate limit', () => {
  it('allows a burst of 10, then one more every 12 seconds', () => {
    const limiter = createUserinfoRateLimiter();
    const start = 1_000_000;
    for (let request = 1; request <= 10; request += 1) {
      assert.equal(
        limiter.take('auth0|chris', start).allowed,
        true,
        `request ${request}`,
      );
    }
    const refused = limiter.take('auth0|chris', start);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterSeconds, 12);
    assert.equal(limiter.take('auth0|chris', start + 11_000).allowed, false);
    assert.equal(limiter.take('auth0|chris', start + 12_000).allowed, true);
    assert.equal(limiter.take('auth0|chris', start + 12_000).allowed, false);
  });

  it('sustains 5 a minute and keeps users apart', () => {
    const limiter = createUserinfoRateLimiter();
    let now = 0;
    for (let request = 0; request < 10; request += 1)
      limiter.take('auth0|chris', now);
    let allowed = 0;
    for (now = 0; now <= 60_000; now += 1000) {
      if (limiter.take('auth0|chris', now).allowed) allowed += 1;
    }
    assert.equal(allowed, 5);
    assert.equal(limiter.take('auth0|alex', now).allowed, true);
  });

  it('forgets everything on reset', () => {
    const limiter = createUserinfoRateLimiter();
    for (let request = 0; request < 11; request += 1)
      limiter.take('auth0|chris', 0);
    limiter.reset();
    assert.equal(limiter.take('auth0|chris', 0).allowed, true);
  });
});
