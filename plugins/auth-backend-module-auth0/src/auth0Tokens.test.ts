import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import {
  Auth0Tokens,
  Auth0TokensOptions,
  checkOrganization,
  isPlausibleRefreshToken,
} from './auth0Tokens';
import {
  Auth0RefusedError,
  Auth0UnavailableError,
  InvalidIdTokenError,
  OrganizationMismatchError,
} from './errors';
import {
  authorizeUrl,
  CALLBACK_URL,
  callbackFromDevServer,
  DevServer,
  startDevServer,
} from './__testUtils__/devServer';

jest.setTimeout(60_000);

describe('Auth0Tokens against the dev server', () => {
  let auth0: DevServer;

  beforeAll(async () => {
    auth0 = await startDevServer();
  });

  afterEach(async () => {
    await auth0.admin.acceptConnections();
    await auth0.admin.reset();
  });

  afterAll(async () => {
    await auth0?.stop();
  });

  function tokensFor(options: Partial<Auth0TokensOptions> = {}) {
    return new Auth0Tokens({
      domain: auth0.domain,
      clientId: auth0.clientId,
      clientSecret: auth0.clientSecret,
      fetch: auth0.fetch,
      ...options,
    });
  }

  /** Chris's sign-in at the dev server, exchanged for tokens. */
  async function signInAsChris(nonce = randomUUID()) {
    const { code } = await callbackFromDevServer(
      auth0,
      authorizeUrl(auth0, { nonce }),
      'chris',
    );
    return {
      nonce,
      tokens: await tokensFor().exchangeCode(code, CALLBACK_URL),
    };
  }

  /** A token with the tenant's issuer and audience, signed with a key the tenant does not have. */
  async function tokenSignedElsewhere(claims: Record<string, unknown> = {}) {
    const { privateKey } = await generateKeyPair('RS256');
    return new SignJWT({ email: 'chris@example.com', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'not-the-tenants' })
      .setSubject('auth0|chris')
      .setIssuer(auth0.issuer)
      .setAudience(auth0.clientId)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  }

  it('exchanges a code and verifies the ID token: signature, issuer, audience, nonce', async () => {
    const { nonce, tokens } = await signInAsChris();
    expect(tokens.refresh_token).toEqual(expect.any(String));
    await expect(
      tokensFor().verifyIdToken(tokens.id_token, nonce),
    ).resolves.toMatchObject({
      sub: 'auth0|chris',
      email: 'chris@example.com',
      email_verified: true,
      nonce,
    });
  });

  it('refuses an ID token issued for another sign-in attempt (nonce)', async () => {
    const { tokens } = await signInAsChris();
    await expect(
      tokensFor().verifyIdToken(tokens.id_token, 'another-attempt'),
    ).rejects.toThrow(
      new InvalidIdTokenError('its nonce does not match this sign-in attempt'),
    );
  });

  it('refuses an ID token issued to another application (audience)', async () => {
    const { tokens } = await signInAsChris();
    const attempt = tokensFor({
      clientId: 'another-application',
    }).verifyIdToken(tokens.id_token);
    await expect(attempt).rejects.toThrow(InvalidIdTokenError);
    await expect(attempt).rejects.toThrow(/"aud" claim/);
  });

  it('refuses an ID token issued by another tenant (issuer)', async () => {
    const { tokens } = await signInAsChris();
    // The same server under another name: its keys verify the signature, the issuer differs.
    const attempt = tokensFor({
      domain: auth0.domain.replace('localhost', '127.0.0.1'),
    }).verifyIdToken(tokens.id_token);
    await expect(attempt).rejects.toThrow(InvalidIdTokenError);
    await expect(attempt).rejects.toThrow(/"iss" claim/);
  });

  it('refuses an ID token the tenant did not sign', async () => {
    await expect(
      tokensFor().verifyIdToken(await tokenSignedElsewhere()),
    ).rejects.toThrow(InvalidIdTokenError);
  });

  it('says Auth0 is unavailable, not that the token is bad, when the signing keys cannot be fetched', async () => {
    const token = await tokenSignedElsewhere();
    await auth0.admin.refuseConnections();
    await expect(tokensFor().verifyIdToken(token)).rejects.toMatchObject({
      name: 'Auth0UnavailableError',
      detail: `could not fetch the signing keys from ${auth0.issuer}.well-known/jwks.json`,
    });
  });

  it('refuses an unknown refresh token with Auth0’s own invalid_grant', async () => {
    await expect(
      tokensFor().refresh('v1.MunknownRefreshToken0000000000'),
    ).rejects.toMatchObject({
      name: 'Auth0RefusedError',
      oauthError: 'invalid_grant',
      message: expect.stringContaining('Unknown or invalid refresh token.'),
    });
  });

  it('refuses a code it does not know with invalid_grant', async () => {
    await expect(
      tokensFor().exchangeCode('not-a-code', CALLBACK_URL),
    ).rejects.toMatchObject({
      name: 'Auth0RefusedError',
      oauthError: 'invalid_grant',
    });
  });

  it.each([500, 502, 503])(
    'says Auth0 is unavailable when the token endpoint answers %i, retrying after 5 s',
    async status => {
      await auth0.admin.failToken(status);
      const attempt = tokensFor().refresh('v1.MsomeRefreshToken000000000000');
      await expect(attempt).rejects.toThrow(Auth0UnavailableError);
      await expect(attempt).rejects.toMatchObject({
        detail: `${auth0.issuer}oauth/token answered ${status} server_error`,
        retryAfterSeconds: 5,
      });
    },
  );

  it('passes on the Retry-After of a 5xx', async () => {
    await auth0.admin.setTokenRetryAfter(12);
    await auth0.admin.failToken(503);
    await expect(
      tokensFor().refresh('v1.MsomeRefreshToken000000000000'),
    ).rejects.toMatchObject({
      name: 'Auth0UnavailableError',
      retryAfterSeconds: 12,
    });
  });

  it('treats a 429 as unavailability, not a refusal, with Auth0’s Retry-After', async () => {
    await auth0.admin.rateLimitToken({ retryAfterSeconds: 30 });
    await expect(
      tokensFor().refresh('v1.MsomeRefreshToken000000000000'),
    ).rejects.toMatchObject({
      name: 'Auth0UnavailableError',
      detail: `${auth0.issuer}oauth/token answered 429 too_many_requests`,
      retryAfterSeconds: 30,
    });
  });

  it('reads X-RateLimit-Reset when a 429 has no Retry-After, as Auth0 sends it', async () => {
    await auth0.admin.rateLimitToken();
    const error = await tokensFor()
      .refresh('v1.MsomeRefreshToken000000000000')
      .catch((e: Auth0UnavailableError) => e);
    expect(error).toBeInstanceOf(Auth0UnavailableError);
    // The dev server resets its limit at the next whole second.
    expect(
      (error as Auth0UnavailableError).retryAfterSeconds,
    ).toBeGreaterThanOrEqual(1);
    expect(
      (error as Auth0UnavailableError).retryAfterSeconds,
    ).toBeLessThanOrEqual(2);
  });

  it('says Auth0 is unavailable when the connection is refused', async () => {
    await auth0.admin.refuseConnections();
    await expect(
      tokensFor().refresh('v1.MsomeRefreshToken000000000000'),
    ).rejects.toMatchObject({
      name: 'Auth0UnavailableError',
      detail: `could not connect to ${auth0.issuer}oauth/token: ECONNREFUSED`,
    });
  });

  it('gives up on a token endpoint that does not answer in time', async () => {
    await auth0.admin.setLatency({ token: 2_000 });
    await expect(
      tokensFor({ timeoutsMs: { token: 200 } }).refresh(
        'v1.MsomeRefreshToken000000000000',
      ),
    ).rejects.toMatchObject({
      name: 'Auth0UnavailableError',
      detail: `no answer from ${auth0.issuer}oauth/token within 0.2 s`,
    });
  });

  it('revokes a refresh token, after which Auth0 refuses it', async () => {
    const { tokens } = await signInAsChris();
    await tokensFor().revoke(tokens.refresh_token!);
    await expect(tokensFor().refresh(tokens.refresh_token!)).rejects.toThrow(
      Auth0RefusedError,
    );
  });

  it('reports a revocation Auth0 refuses, and one it does not answer in time', async () => {
    await expect(
      tokensFor({ clientSecret: 'wrong-secret' }).revoke(
        'v1.MsomeRefreshToken000000000000',
      ),
    ).rejects.toMatchObject({
      name: 'Auth0RefusedError',
      oauthError: 'invalid_client',
    });
    await auth0.admin.setLatency({ revoke: 2_000 });
    await expect(
      tokensFor({ timeoutsMs: { revoke: 200 } }).revoke(
        'v1.MsomeRefreshToken000000000000',
      ),
    ).rejects.toMatchObject({
      name: 'Auth0UnavailableError',
      detail: `no answer from ${auth0.issuer}oauth/revoke within 0.2 s`,
    });
  });

  it('checks the organization claim of a verified token', async () => {
    const nonce = randomUUID();
    const { code } = await callbackFromDevServer(
      auth0,
      authorizeUrl(auth0, { nonce, organization: 'org_examplecorp' }),
      'chris',
    );
    const { id_token } = await tokensFor().exchangeCode(code, CALLBACK_URL);
    await expect(
      tokensFor({ organization: 'org_examplecorp' }).verifyIdToken(id_token),
    ).resolves.toMatchObject({
      org_id: 'org_examplecorp',
      org_name: 'example-corp',
    });
    await expect(
      tokensFor({ organization: 'org_othercorp' }).verifyIdToken(id_token),
    ).rejects.toThrow(
      new OrganizationMismatchError('org_othercorp', 'example-corp'),
    );
  });
});

describe('checkOrganization', () => {
  const member = { org_id: 'org_abc123', org_name: 'example-corp' };

  it('accepts the configured organization by id or by name, name ignoring case', () => {
    expect(() => checkOrganization(member, 'org_abc123')).not.toThrow();
    expect(() => checkOrganization(member, 'Example-Corp')).not.toThrow();
  });

  it('refuses another organization, naming both', () => {
    expect(() =>
      checkOrganization(
        { org_id: 'org_other', org_name: 'other-corp' },
        'org_abc123',
      ),
    ).toThrow(new OrganizationMismatchError('org_abc123', 'other-corp'));
    expect(() =>
      checkOrganization(
        { org_id: 'org_other', org_name: 'other-corp' },
        'example-corp',
      ),
    ).toThrow(OrganizationMismatchError);
  });

  it('refuses a token without an organization', () => {
    expect(() => checkOrganization({}, 'org_abc123')).toThrow(
      'You signed in through no Auth0 organization, but this Backstage accepts only members of org_abc123',
    );
  });

  it('does not take an id for a name or a name for an id', () => {
    expect(() =>
      checkOrganization({ org_name: 'org_abc123' }, 'org_abc123'),
    ).toThrow(OrganizationMismatchError);
    expect(() =>
      checkOrganization({ org_id: 'example-corp' }, 'example-corp'),
    ).toThrow(OrganizationMismatchError);
  });

  it('compares names with ASCII case folding only', () => {
    expect(() => checkOrganization({ org_name: '\u212Aorp' }, 'korp')).toThrow(
      OrganizationMismatchError,
    );
  });
});

describe('isPlausibleRefreshToken', () => {
  it.each([
    [
      'an oidc-provider refresh token',
      'Yq0n3mL8pZt1wX5vB7cD9eF2gH4jK6lM8nP0qR2sT4u',
    ],
    ['an Auth0 v1 refresh token', `v1.M${'a1B2c3D4'.repeat(12)}`],
  ])('accepts %s', (_kind, token) => {
    expect(isPlausibleRefreshToken(token)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['too short', 'abc'],
    ['absurdly long', 'a'.repeat(2049)],
    ['with markup', '<script>alert(1)</script>xxxxxxxx'],
    ['with a cookie separator', 'aaaaaaaaaaaaaaaaaaaa; other=1'],
    ['with non-ASCII characters', '\u212A'.repeat(20)],
  ])('refuses a cookie that is %s', (_kind, token) => {
    expect(isPlausibleRefreshToken(token)).toBe(false);
  });
});
