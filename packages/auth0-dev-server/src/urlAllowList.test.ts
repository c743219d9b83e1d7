import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUrlAllowList } from './urlAllowList.ts';

describe('createUrlAllowList', () => {
  it('allows exact URLs, normalising a bare origin to its slash', () => {
    const list = createUrlAllowList(
      [
        'http://localhost:7007/api/auth/auth0/handler/frame',
        'http://localhost:3000',
      ],
      'redirect URI',
    );
    assert.equal(
      list.allows('http://localhost:7007/api/auth/auth0/handler/frame'),
      true,
    );
    assert.equal(list.allows('http://localhost:3000'), true);
    assert.equal(list.allows('http://localhost:3000/'), true);
    assert.equal(
      list.allows('http://localhost:7008/api/auth/auth0/handler/frame'),
      false,
    );
    assert.equal(
      list.allows('http://localhost:7007/api/auth/auth0/handler/frame/x'),
      false,
    );
    assert.equal(
      list.allows('http://localhost:7007/api/auth/auth0/handler/frame?x=1'),
      false,
    );
    assert.equal(list.allows('not a url'), false);
  });

  it('lets a loopback entry take any port with *, and nothing else', () => {
    const list = createUrlAllowList(['http://localhost:*/cb'], 'redirect URI');
    assert.equal(list.allows('http://localhost:41234/cb'), true);
    assert.equal(list.allows('http://localhost/cb'), true);
    assert.equal(list.allows('https://localhost:41234/cb'), false);
    assert.equal(list.allows('http://127.0.0.1:41234/cb'), false);
    assert.equal(list.allows('http://localhost:41234/cb/other'), false);
    assert.equal(list.allows('http://localhost.evil.example:41234/cb'), false);
    assert.deepEqual(list.examples(), ['http://localhost/cb']);
  });

  it('refuses a port wildcard off loopback, and entries that are not URLs', () => {
    assert.throws(
      () => createUrlAllowList(['https://app.example:*/cb'], 'redirect URI'),
      /only allowed for localhost, 127\.0\.0\.1 and \[::1\]/,
    );
    assert.throws(
      () => createUrlAllowList(['/relative'], 'logout URL'),
      /logout URL "\/relative" is not an absolute URL/,
    );
  });
});
