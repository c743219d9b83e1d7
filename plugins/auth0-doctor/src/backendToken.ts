import { Config } from '@backstage/config';
import { SignJWT } from 'jose';

/** A token the backend accepts from a caller outside it, and the config entry it comes from. */
export type ExternalAccess = { token: string; from: string };

const EXTERNAL_ACCESS = 'backend.auth.externalAccess';

/**
 * A token for the backend's APIs from its own config, as another service would call it: the
 * first `static` entry of `backend.auth.externalAccess` (its `token`), else the first
 * `legacy` one (a JWT signed with its `secret`, as `@backstage/backend-defaults` verifies
 * it: HS256, `sub: backstage-server`, no `aud`), else the older `backend.auth.keys`.
 * Undefined when the config has none of them.
 */
export async function externalAccessToken(
  config: Config,
): Promise<ExternalAccess | undefined> {
  const entries = config.getOptionalConfigArray(EXTERNAL_ACCESS) ?? [];
  const indexed = entries.map((entry, index) => ({ entry, index }));
  const staticEntry = indexed.find(
    ({ entry }) => entry.getOptionalString('type') === 'static',
  );
  const token = staticEntry?.entry.getOptionalString('options.token');
  if (staticEntry && token) {
    return {
      token,
      from: `${EXTERNAL_ACCESS}[${staticEntry.index}] (static)`,
    };
  }
  const legacyEntry = indexed.find(
    ({ entry }) => entry.getOptionalString('type') === 'legacy',
  );
  const legacySecret = legacyEntry?.entry.getOptionalString('options.secret');
  if (legacyEntry && legacySecret) {
    return {
      token: await legacyToken(legacySecret),
      from: `${EXTERNAL_ACCESS}[${legacyEntry.index}] (legacy)`,
    };
  }
  const keySecret = config
    .getOptionalConfigArray('backend.auth.keys')?.[0]
    ?.getOptionalString('secret');
  if (keySecret) {
    return {
      token: await legacyToken(keySecret),
      from: 'backend.auth.keys[0]',
    };
  }
  return undefined;
}

function legacyToken(secret: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('backstage-server')
    .setExpirationTime('10m')
    .sign(Buffer.from(secret, 'base64'));
}
