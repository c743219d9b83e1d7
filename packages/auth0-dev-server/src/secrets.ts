import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withStateDirLock, writeFileAtomically } from './stateDir.ts';

/**
 * What the dev server signs with and the client secret it hands out, kept in the state
 * folder so that tokens, sessions and a configured secret survive restarts.
 */
export type Secrets = {
  /** Private RS256 keys, as oidc-provider's `jwks` takes them. */
  signingKeys: SigningKey[];
  cookieKeys: string[];
  clientSecret: string;
  /** The "Machine to Machine" application's secret (Management API tokens). */
  managementClientSecret: string;
};

export type SigningKey = JsonWebKey & { kid: string };

const fileName = 'secrets.json';

export async function ensureSecrets(stateDir: string): Promise<Secrets> {
  return withStateDirLock(stateDir, async () => {
    const file = join(stateDir, fileName);
    const existing = await readSecrets(file);
    const kept = existing?.managementClientSecret;
    if (existing && typeof kept === 'string') {
      return { ...existing, managementClientSecret: kept };
    }
    // A state folder from before the Management API keeps its keys and secret, and gains
    // the machine-to-machine application's secret.
    const secrets: Secrets = existing
      ? { ...existing, managementClientSecret: newSecret() }
      : {
          signingKeys: [createSigningKey()],
          cookieKeys: [newSecret()],
          clientSecret: newSecret(),
          managementClientSecret: newSecret(),
        };
    await writeFileAtomically(
      file,
      `${JSON.stringify(secrets, null, 2)}\n`,
      0o600,
    );
    return secrets;
  });
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

async function readSecrets(file: string): Promise<
  | (Omit<Secrets, 'managementClientSecret'> & {
      managementClientSecret?: string;
    })
  | undefined
> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8'));
    const complete =
      Array.isArray(parsed.signingKeys) &&
      parsed.signingKeys.length > 0 &&
      Array.isArray(parsed.cookieKeys) &&
      parsed.cookieKeys.length > 0 &&
      typeof parsed.clientSecret === 'string';
    return complete ? parsed : undefined;
  } catch {
    // Missing or unreadable: made anew.
    return undefined;
  }
}

function createSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(12).toString('base64url'),
    alg: 'RS256',
    use: 'sig',
  };
}
