import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  verify,
  type JsonWebKey as NodeJsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { SigningKey } from './secrets.ts';

/**
 * Machine-to-machine access to the Management API, as Auth0 gives it: a "Machine to Machine"
 * application asks `POST /oauth/token` with `grant_type=client_credentials` and
 * `audience=https://<domain>/api/v2/`, and gets an RS256 JWT signed by the tenant's key whose
 * `scope` lists what the application was granted.
 */

/** The scopes a fresh dev server grants the machine-to-machine application. */
export const defaultManagementScopes = [
  'read:users',
  'read:roles',
  'read:organizations',
  'read:organization_members',
  'read:clients',
];

/** Auth0's default lifetime of a Management API token: 24 hours. */
export const defaultManagementTokenLifetimeSeconds = 86_400;

export function managementAudience(issuer: string): string {
  return new URL('api/v2/', issuer).href;
}

export type ManagementTokenClaims = {
  iss: string;
  sub: string;
  aud: string | string[];
  iat: number;
  exp: number;
  scope: string;
  gty: string;
  azp: string;
  jti: string;
};

export type ManagementTokenSigner = {
  /** The token, and the claims in it. */
  issue(input: {
    clientId: string;
    scopes: string[];
    lifetimeSeconds: number;
    now?: number;
  }): { token: string; claims: ManagementTokenClaims };
  /** The claims of a token this tenant issued for the Management API, or why not. */
  verify(token: string, now?: number): VerifiedToken;
};

export type VerifiedToken =
  | { valid: true; claims: ManagementTokenClaims; scopes: Set<string> }
  | { valid: false; reason: 'invalid' | 'expired' };

export function createManagementTokenSigner(options: {
  issuer: string;
  signingKeys: SigningKey[];
}): ManagementTokenSigner {
  const audience = managementAudience(options.issuer);
  const [current] = options.signingKeys;
  const privateKey = createPrivateKey({
    key: current as unknown as NodeJsonWebKey,
    format: 'jwk',
  });
  const publicKeys = new Map<string, KeyObject>(
    options.signingKeys.map(key => [
      key.kid,
      createPublicKey({
        key: key as unknown as NodeJsonWebKey,
        format: 'jwk',
      }),
    ]),
  );

  return {
    issue({ clientId, scopes, lifetimeSeconds, now = Date.now() }) {
      const iat = Math.floor(now / 1000);
      const claims: ManagementTokenClaims = {
        iss: options.issuer,
        sub: `${clientId}@clients`,
        aud: audience,
        iat,
        exp: iat + lifetimeSeconds,
        scope: scopes.join(' '),
        gty: 'client-credentials',
        azp: clientId,
        jti: randomBytes(16).toString('hex'),
      };
      const header = { alg: 'RS256', typ: 'JWT', kid: current.kid };
      const signingInput = `${base64url(header)}.${base64url(claims)}`;
      const signature = sign(
        'sha256',
        Buffer.from(signingInput),
        privateKey,
      ).toString('base64url');
      return { token: `${signingInput}.${signature}`, claims };
    },

    verify(token, now = Date.now()) {
      const parts = token.split('.');
      if (parts.length !== 3) return { valid: false, reason: 'invalid' };
      let header: { alg?: unknown; kid?: unknown };
      let claims: ManagementTokenClaims;
      try {
        header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
        claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
      } catch {
        return { valid: false, reason: 'invalid' };
      }
      const key =
        typeof header.kid === 'string' ? publicKeys.get(header.kid) : undefined;
      if (
        header.alg !== 'RS256' ||
        !key ||
        !verify(
          'sha256',
          Buffer.from(`${parts[0]}.${parts[1]}`),
          key,
          Buffer.from(parts[2], 'base64url'),
        )
      ) {
        return { valid: false, reason: 'invalid' };
      }
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (claims.iss !== options.issuer || !audiences.includes(audience)) {
        return { valid: false, reason: 'invalid' };
      }
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) {
        return { valid: false, reason: 'expired' };
      }
      return {
        valid: true,
        claims,
        scopes: new Set(
          typeof claims.scope === 'string'
            ? claims.scope.split(' ').filter(Boolean)
            : [],
        ),
      };
    },
  };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export type ClientCredentialsOptions = {
  provider: Provider;
  signer: ManagementTokenSigner;
  issuer: string;
  scopes: () => string[];
  lifetimeSeconds: () => number;
  log: (message: string) => void;
};

/**
 * Registers `grant_type=client_credentials` with oidc-provider, which parses the form and
 * authenticates the client (its secret in the body, as Auth0's SDKs send it), and answers
 * as Auth0 does: the Management API audience only, the granted scopes (or the requested
 * subset of them).
 */
export function registerClientCredentialsGrant(
  options: ClientCredentialsOptions,
): void {
  const audience = managementAudience(options.issuer);
  options.provider.registerGrantType(
    'client_credentials',
    async (ctx: KoaContextWithOIDC) => {
      const params = ctx.oidc.params as {
        audience?: string;
        scope?: string;
      };
      const clientId = ctx.oidc.client?.clientId ?? '';
      const deny = (description: string) => {
        ctx.status = 403;
        ctx.body = { error: 'access_denied', error_description: description };
      };
      if (!params.audience) {
        deny(
          'No audience parameter was provided, and no default audience has been configured',
        );
        return;
      }
      if (params.audience !== audience) {
        deny(`Service not enabled within domain: ${params.audience}`);
        return;
      }
      const granted = options.scopes();
      let scopes = granted;
      if (params.scope) {
        const requested = params.scope.split(' ').filter(Boolean);
        const notGranted = requested.filter(scope => !granted.includes(scope));
        if (notGranted.length > 0) {
          deny(`Client has not been granted scopes: ${notGranted.join(',')}`);
          return;
        }
        scopes = requested;
      }
      const lifetimeSeconds = options.lifetimeSeconds();
      const { token } = options.signer.issue({
        clientId,
        scopes,
        lifetimeSeconds,
      });
      options.log(
        `issued a Management API token to ${clientId} (${
          scopes.join(' ') || 'no scopes'
        }; ${lifetimeSeconds} s)`,
      );
      ctx.body = {
        access_token: token,
        scope: scopes.join(' '),
        expires_in: lifetimeSeconds,
        token_type: 'Bearer',
      };
    },
    ['audience', 'scope', 'organization'],
  );
}

/**
 * oidc-provider's refusal of a client-credentials request from a wrong or unknown client,
 * put in Auth0's words: 401 `access_denied`/`Unauthorized`. An application that may not use
 * the grant (the sign-in application) gets Auth0's 403 `unauthorized_client` from
 * `auth0UnauthorizedClientErrors` (tokenErrors.ts), which runs inside this one.
 */
export function auth0ClientCredentialsErrors(
  /** Told of every client-credentials request with the status it got. */
  record?: (status: number, clientId: string | undefined) => void,
) {
  return async function auth0ClientCredentialsErrorsMiddleware(
    ctx: KoaContextWithOIDC,
    next: () => Promise<void>,
  ) {
    await next();
    if (ctx.path !== '/oauth/token' || ctx.method !== 'POST') return;
    const oidc = (ctx as { oidc?: KoaContextWithOIDC['oidc'] }).oidc;
    const grantType = (oidc?.params as { grant_type?: unknown } | undefined)
      ?.grant_type;
    if (grantType !== 'client_credentials') return;
    const body = ctx.body as
      | { error?: unknown; error_description?: unknown }
      | undefined;
    if (body?.error === 'invalid_client') {
      ctx.status = 401;
      ctx.body = { error: 'access_denied', error_description: 'Unauthorized' };
    }
    const clientId = (oidc?.params as { client_id?: unknown } | undefined)
      ?.client_id;
    record?.(ctx.status, typeof clientId === 'string' ? clientId : undefined);
  };
}
