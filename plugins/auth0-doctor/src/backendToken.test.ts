import { ConfigReader } from '@backstage/config';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { externalAccessToken } from './backendToken';

const externalAccess = (entries: object[]) =>
  new ConfigReader({ backend: { auth: { externalAccess: entries } } });

describe('externalAccessToken', () => {
  const secret = Buffer.from('a shared secret of the replicas').toString(
    'base64',
  );

  it('takes the first static token, before any legacy secret', async () => {
    await expect(
      externalAccessToken(
        externalAccess([
          { type: 'legacy', options: { secret, subject: 'replicas' } },
          { type: 'static', options: { token: 'abc', subject: 'ci' } },
        ]),
      ),
    ).resolves.toEqual({
      token: 'abc',
      from: 'backend.auth.externalAccess[1] (static)',
    });
  });

  it('signs a legacy token as the backend verifies it', async () => {
    const access = await externalAccessToken(
      externalAccess([
        { type: 'jwks', options: { url: 'https://example.com/jwks' } },
        { type: 'legacy', options: { secret, subject: 'replicas' } },
      ]),
    );
    expect(access?.from).toBe('backend.auth.externalAccess[1] (legacy)');
    const token = access!.token;
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    expect(decodeJwt(token)).toMatchObject({ sub: 'backstage-server' });
    expect(decodeJwt(token).aud).toBeUndefined();
    await expect(
      jwtVerify(token, Buffer.from(secret, 'base64')),
    ).resolves.toBeDefined();
  });

  it('falls back to backend.auth.keys, and to nothing', async () => {
    const access = await externalAccessToken(
      new ConfigReader({ backend: { auth: { keys: [{ secret }] } } }),
    );
    expect(access?.from).toBe('backend.auth.keys[0]');
    await expect(
      externalAccessToken(new ConfigReader({})),
    ).resolves.toBeUndefined();
  });
});
