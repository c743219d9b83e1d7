import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forcedTokenFailure } from './tokenErrors.ts';

describe('the forced answers of POST /oauth/token', () => {
  const now = Date.UTC(2026, 0, 1, 10, 0, 0, 400); // 1767261600.4 s

  it('shapes a 429 like Auth0 rate limiting: epoch-second reset at the next second, no Retry-After', () => {
    assert.deepEqual(forcedTokenFailure(429, null, now), {
      status: 429,
      headers: {
        'cache-control': 'no-store',
        'x-ratelimit-limit': '30',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1767261601',
      },
      body: {
        error: 'too_many_requests',
        error_description:
          'Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers.',
      },
    });
  });

  it('puts the reset Retry-After seconds ahead when Retry-After is set', () => {
    const { headers } = forcedTokenFailure(429, 120, now);
    assert.equal(headers['retry-after'], '120');
    assert.equal(headers['x-ratelimit-reset'], String(1767261600 + 120));
  });

  it('keeps 5xx answers as server_error, with Retry-After only when set', () => {
    const plain = forcedTokenFailure(503, null, now);
    assert.equal(plain.status, 503);
    assert.equal(plain.body.error, 'server_error');
    assert.deepEqual(plain.headers, { 'cache-control': 'no-store' });
    assert.equal(forcedTokenFailure(500, 0, now).headers['retry-after'], '0');
  });
});
