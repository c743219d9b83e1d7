import { randomBytes } from 'node:crypto';
import { importJWK, JWK } from 'jose';
import { CheckResult, CHECKS, fail, pass, skipAll, warn } from './checks';
import { describeFetchError } from './fetchErrors';

/** What the token endpoint told about the application, for the refresh-grant check. */
export type TokenProbe = {
  /** Whether Auth0 took the client id and secret; undefined when it did not say. */
  authenticated?: boolean;
  /** Whether Auth0 takes refresh grants from the application; undefined when it did not say. */
  refreshGrantAllowed?: boolean;
  /** Auth0's answer, as `403 invalid_grant`. */
  answer?: string;
};

const REQUEST_TIMEOUT_MS = 10_000;
/** The only algorithm the module verifies ID tokens with. */
const ID_TOKEN_ALGORITHM = 'RS256';

/**
 * What the sign-in module needs of the tenant without the Management API: the discovery
 * document at `https://<domain>/` with the issuer `https://<domain>/`, a signing key in the
 * JWKS the module can verify ID tokens with, and a token endpoint that accepts the client id
 * and secret (probed with a refresh grant for a made-up token: `invalid_grant` means Auth0
 * authenticated the application and looked for the token, `invalid_client` or a 401 means
 * it did not authenticate it). A check whose precondition failed is skipped.
 */
export async function checkTenant(options: {
  domain: string;
  clientId: string;
  clientSecret: string;
  keyPrefix: string;
  fetch: typeof fetch;
}): Promise<{ results: CheckResult[]; probe: TokenProbe }> {
  const { domain, keyPrefix } = options;
  const origin = `https://${domain}/`;
  const domainFix = `set ${keyPrefix}.domain (AUTH_AUTH0_DOMAIN) to your tenant's domain, e.g. my-company.eu.auth0.com (or its custom domain), and check that this machine reaches it`;
  const get = (path: string) =>
    options.fetch(new URL(path, origin), {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });

  const discoveryUrl = `${origin}.well-known/openid-configuration`;
  let issuer: unknown;
  try {
    const response = await get('.well-known/openid-configuration');
    const body = await response.json().catch(() => undefined);
    if (!response.ok || typeof body?.issuer !== 'string') {
      return failedDiscovery(
        `${discoveryUrl} answered ${response.status}${
          response.ok ? ' without an issuer' : ''
        }, not as an Auth0 tenant does`,
        domainFix,
      );
    }
    issuer = body.issuer;
  } catch (error) {
    return failedDiscovery(
      `cannot reach ${discoveryUrl} (${describeFetchError(error)})`,
      domainFix,
    );
  }
  if (issuer !== origin) {
    return failedDiscovery(
      `the tenant's issuer is ${issuer}, not ${origin}: the module accepts only ID tokens whose issuer is https://<domain>/`,
      `set ${keyPrefix}.domain (AUTH_AUTH0_DOMAIN) to ${
        hostOf(issuer) ?? "the issuer's host"
      }, the domain the tenant names itself by`,
    );
  }
  const results = [
    pass(
      CHECKS.discovery,
      `${discoveryUrl} answers, with the issuer ${origin}`,
    ),
  ];

  const [keys, probed] = await Promise.all([
    checkSigningKeys(() => get('.well-known/jwks.json'), origin),
    probeTokenEndpoint(options),
  ]);
  results.push(keys, probed.result);
  return { results, probe: probed.probe };
}

function failedDiscovery(
  message: string,
  fix: string,
): { results: CheckResult[]; probe: TokenProbe } {
  return {
    results: [
      fail(CHECKS.discovery, message, fix),
      ...skipAll(
        [CHECKS.signingKeys, CHECKS.clientCredentials],
        'discovery failed',
        'fix discovery first',
      ),
    ],
    probe: {},
  };
}

async function checkSigningKeys(
  get: () => Promise<Response>,
  origin: string,
): Promise<CheckResult> {
  const url = `${origin}.well-known/jwks.json`;
  let keys: JWK[];
  try {
    const response = await get();
    const body = await response.json().catch(() => undefined);
    if (!response.ok || !Array.isArray(body?.keys)) {
      return fail(
        CHECKS.signingKeys,
        `${url} answered ${response.status}${
          response.ok ? ' without keys' : ''
        }, so no ID token can be verified`,
        'check the tenant: Auth0 serves its signing keys there (Dashboard > Settings > Signing Keys)',
      );
    }
    keys = body.keys;
  } catch (error) {
    return fail(
      CHECKS.signingKeys,
      `cannot reach ${url} (${describeFetchError(
        error,
      )}), so no ID token can be verified`,
      'check that this machine (and the backend) reaches the tenant',
    );
  }
  const usable: string[] = [];
  for (const key of keys) {
    if (
      key.kty !== 'RSA' ||
      (key.use !== undefined && key.use !== 'sig') ||
      (key.alg !== undefined && key.alg !== ID_TOKEN_ALGORITHM)
    ) {
      continue;
    }
    try {
      await importJWK(key, ID_TOKEN_ALGORITHM);
      usable.push(key.kid ?? '(no kid)');
    } catch {
      // A key jose cannot import is one the module cannot verify with either.
    }
  }
  if (usable.length === 0) {
    return fail(
      CHECKS.signingKeys,
      `${url} has no ${ID_TOKEN_ALGORITHM} signing key, the only kind the module verifies ID tokens with`,
      'rotate the tenant signing keys (Dashboard > Settings > Signing Keys) so that an RS256 key is current',
    );
  }
  return pass(
    CHECKS.signingKeys,
    `${url} has ${usable.length} ${ID_TOKEN_ALGORITHM} signing key${
      usable.length === 1 ? '' : 's'
    } (${usable.join(', ')})`,
  );
}

async function probeTokenEndpoint(options: {
  domain: string;
  clientId: string;
  clientSecret: string;
  keyPrefix: string;
  fetch: typeof fetch;
}): Promise<{ result: CheckResult; probe: TokenProbe }> {
  const { clientId, keyPrefix } = options;
  const url = `https://${options.domain}/oauth/token`;
  const credentialsFix = `set ${keyPrefix}.clientId (AUTH_AUTH0_CLIENT_ID) and ${keyPrefix}.clientSecret (AUTH_AUTH0_CLIENT_SECRET) to the Client ID and Client Secret of the Regular Web Application (Auth0 Dashboard > Applications > your Backstage application > Settings)`;
  let status: number;
  let body: { error?: unknown; error_description?: unknown } | undefined;
  try {
    // As the module sends its refreshes: a form with the credentials in the body.
    const response = await options.fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: `auth0-doctor-probe-${randomBytes(16).toString('hex')}`,
        client_id: clientId,
        client_secret: options.clientSecret,
      }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    status = response.status;
    body = await response.json().catch(() => undefined);
  } catch (error) {
    return {
      result: fail(
        CHECKS.clientCredentials,
        `cannot reach ${url} (${describeFetchError(error)})`,
        'check that this machine (and the backend) reaches the tenant',
      ),
      probe: {},
    };
  }
  const error = typeof body?.error === 'string' ? body.error : undefined;
  const answer = `${status}${error ? ` ${error}` : ''}${
    typeof body?.error_description === 'string'
      ? `: ${body.error_description}`
      : ''
  }`;
  if (status === 401 || error === 'invalid_client') {
    return {
      result: fail(
        CHECKS.clientCredentials,
        `Auth0 refused the client id ${clientId} and its secret (${answer})`,
        credentialsFix,
      ),
      probe: { authenticated: false, answer },
    };
  }
  if (error === 'invalid_grant' || error === 'unauthorized_client') {
    const refreshGrantAllowed = error === 'invalid_grant';
    return {
      result: pass(
        CHECKS.clientCredentials,
        `Auth0 accepted the client id ${clientId} and its secret (a refresh with a made-up token answered ${answer})`,
      ),
      probe: { authenticated: true, refreshGrantAllowed, answer },
    };
  }
  return {
    result: warn(
      CHECKS.clientCredentials,
      `${url} answered a refresh with a made-up token with ${answer}, which tells neither way whether the client id and secret are right`,
      status === 429 || status >= 500
        ? 'Auth0 is rate-limiting or failing: run the doctor again in a minute'
        : credentialsFix,
    ),
    probe: { answer },
  };
}

function hostOf(url: unknown): string | undefined {
  try {
    return new URL(String(url)).host;
  } catch {
    return undefined;
  }
}
