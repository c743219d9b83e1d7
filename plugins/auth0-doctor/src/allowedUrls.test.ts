import { isAllowedUrl } from './allowedUrls';

describe('isAllowedUrl', () => {
  const callback = 'https://backstage.example.com/api/auth/auth0/handler/frame';

  it('allows the same URL, and a bare origin with or without its slash', () => {
    expect(isAllowedUrl([callback], callback)).toBe(true);
    expect(
      isAllowedUrl([callback], callback.replace('backstage', 'BACKSTAGE')),
    ).toBe(true);
    expect(
      isAllowedUrl(
        ['https://backstage.example.com'],
        'https://backstage.example.com/',
      ),
    ).toBe(true);
    expect(
      isAllowedUrl(
        ['https://backstage.example.com/'],
        'https://backstage.example.com',
      ),
    ).toBe(true);
  });

  it('refuses another scheme, host, port, path or query', () => {
    for (const other of [
      callback.replace('https:', 'http:'),
      callback.replace('backstage.', 'other.'),
      callback.replace('.com/', '.com:8443/'),
      `${callback}/`,
      `${callback}?x=1`,
    ]) {
      expect(isAllowedUrl([callback], other)).toBe(false);
    }
    expect(isAllowedUrl([], callback)).toBe(false);
    expect(isAllowedUrl(['not a url'], callback)).toBe(false);
  });

  it('takes a left-most * as one subdomain, as Auth0 does', () => {
    const entries = ['https://*.example.com/api/auth/auth0/handler/frame'];
    expect(isAllowedUrl(entries, callback)).toBe(true);
    expect(
      isAllowedUrl(
        entries,
        'https://a.b.example.com/api/auth/auth0/handler/frame',
      ),
    ).toBe(false);
    expect(
      isAllowedUrl(entries, 'https://example.com/api/auth/auth0/handler/frame'),
    ).toBe(false);
    expect(isAllowedUrl(entries, 'https://backstage.example.com/other')).toBe(
      false,
    );
  });
});
