import { ManagementError } from 'auth0';
import { TokenRequestError } from './managementApi';
import { UserExportDownloadError, UserExportJobError } from './userExport';

/** What a failure message names: the config keys, the tenant, the application, the scopes. */
export type FailureContext = {
  /** `catalog.providers.auth0.<id>` */
  keyPrefix: string;
  domain: string;
  clientId: string;
  /** The Management API scopes this provider's config needs. */
  requiredScopes: string[];
};

/** Reading the tenant failed; the message says what failed and what to fix. */
export class Auth0ReadError extends Error {
  name = 'Auth0ReadError';
  constructor(message: string, readonly cause: unknown) {
    super(message);
  }
}

const MANAGEMENT_API_GRANTS =
  'Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine To Machine Applications';

const NETWORK_ERROR_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The Management API scopes that reading a tenant with these settings needs. */
export function requiredScopes(groups: {
  fromRoles: boolean;
  fromOrganizations: boolean;
}): string[] {
  return [
    'read:users',
    ...(groups.fromRoles ? ['read:roles'] : []),
    ...(groups.fromOrganizations
      ? ['read:organizations', 'read:organization_members']
      : []),
  ];
}

/**
 * One message for a failure while `step` (e.g. "listing roles"): wrong credentials, a wrong
 * domain, a missing scope, Auth0 unavailable; each says which key or grant to fix.
 */
export function explainFailure(
  error: unknown,
  step: string,
  context: FailureContext,
): string {
  const { keyPrefix, domain } = context;
  const prefix = `Reading Auth0 tenant ${domain} for ${keyPrefix} failed while ${step}`;

  if (
    error instanceof UserExportJobError ||
    error instanceof UserExportDownloadError
  ) {
    return `${prefix}: ${error.message}; the catalog keeps the entities of the last complete run`;
  }

  if (error instanceof TokenRequestError) {
    return `${prefix}: ${explainTokenFailure(error.cause, context)}`;
  }

  if (error instanceof ManagementError && error.statusCode !== undefined) {
    return `${prefix}: ${explainApiFailure(error, context)}`;
  }

  const code = networkErrorCode(error);
  if (code) {
    return `${prefix}: cannot reach https://${domain}/ (${code}): check ${keyPrefix}.domain, the tenant's domain such as my-company.eu.auth0.com, and that the backend can reach it`;
  }
  return `${prefix}: ${describe(
    error,
  )}; the catalog keeps the entities of the last complete run`;
}

function explainTokenFailure(cause: unknown, context: FailureContext): string {
  const { keyPrefix, domain, clientId } = context;
  if (!(cause instanceof ManagementError) || cause.statusCode === undefined) {
    const code = networkErrorCode(cause);
    return `cannot reach https://${domain}/oauth/token (${
      code ?? describe(cause)
    }): check ${keyPrefix}.domain, the tenant's domain such as my-company.eu.auth0.com, and that the backend can reach it`;
  }
  const status = cause.statusCode;
  const { error, description } = oauthError(cause.body);
  const answer = `${status}${error ? ` ${error}` : ''}${
    description ? `: ${description}` : ''
  }`;
  if (status === 408) {
    return `https://${domain}/oauth/token did not answer in time: check ${keyPrefix}.domain and that the backend can reach it`;
  }
  if (status === 429 || status >= 500) {
    return `Auth0 did not issue a Management API token (${answer}); it is unavailable or rate-limiting, and the next run tries again`;
  }
  if (
    status === 403 &&
    /not authorized to access|client-grant|service not enabled/i.test(
      description ?? '',
    )
  ) {
    return `the application ${clientId} may not call the Auth0 Management API of ${domain} (${answer}): in the ${MANAGEMENT_API_GRANTS}, authorize it with ${context.requiredScopes.join(
      ', ',
    )}; ${keyPrefix}.domain must be the tenant's own domain, not a custom domain`;
  }
  if (status === 401 || status === 403 || error === 'invalid_client') {
    return `Auth0 refused the client credentials (${answer}): check ${keyPrefix}.clientId ("${clientId}") and ${keyPrefix}.clientSecret, the Client ID and Client Secret of a Machine to Machine application of ${domain}`;
  }
  if (status === 404 || !error) {
    return `https://${domain}/oauth/token answered ${status}, not as Auth0 does: check ${keyPrefix}.domain, the tenant's domain such as my-company.eu.auth0.com`;
  }
  return `Auth0 did not issue a Management API token (${answer}): check ${keyPrefix}.clientId, ${keyPrefix}.clientSecret and ${keyPrefix}.domain`;
}

function explainApiFailure(
  error: ManagementError,
  context: FailureContext,
): string {
  const { keyPrefix, domain, clientId, requiredScopes: scopes } = context;
  const status = error.statusCode!;
  const body = (error.body ?? {}) as {
    errorCode?: string;
    message?: string;
    error?: string;
  };
  const answer = `${status}${body.errorCode ? ` ${body.errorCode}` : ''}${
    body.message ? `: ${body.message}` : ''
  }`;
  if (status === 403 && /scope/i.test(`${body.errorCode} ${body.message}`)) {
    const expected = /expected (?:any|all) of:\s*(.+)$/i.exec(
      body.message ?? '',
    )?.[1];
    return `the Management API token of ${clientId} lacks ${
      expected ? `the scope ${expected}` : 'a scope'
    } (${answer}): in the ${MANAGEMENT_API_GRANTS}, grant the application ${clientId} ${scopes.join(
      ', ',
    )}`;
  }
  if (status === 401) {
    return `Auth0 refused the Management API token of ${clientId} (${answer}): ${keyPrefix}.domain must be the tenant's own domain (…auth0.com), not a custom domain, and the application must belong to that tenant`;
  }
  if (status === 429) {
    return `Auth0 kept answering 429 Too Many Requests (${answer}) after the SDK's retries; the catalog keeps the entities of the last complete run, and the next run tries again (a longer ${keyPrefix}.schedule.frequency spreads the load)`;
  }
  if (status >= 500) {
    return `Auth0 answered ${answer} after the SDK's retries; the catalog keeps the entities of the last complete run, and the next run tries again`;
  }
  if (status === 404 && !body.errorCode && !body.message) {
    return `https://${domain}/api/v2 answered 404, not as Auth0 does: check ${keyPrefix}.domain, the tenant's domain such as my-company.eu.auth0.com`;
  }
  return `Auth0 answered ${answer}; the catalog keeps the entities of the last complete run`;
}

function oauthError(body: unknown): { error?: string; description?: string } {
  if (typeof body !== 'object' || body === null) {
    return {};
  }
  const { error, error_description: description } = body as {
    error?: unknown;
    error_description?: unknown;
  };
  return {
    error: typeof error === 'string' ? error : undefined,
    description: typeof description === 'string' ? description : undefined,
  };
}

/** The code of a network failure (DNS, refused, TLS) anywhere in the error's causes. */
function networkErrorCode(error: unknown): string | undefined {
  for (const current of causes(error)) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (NETWORK_ERROR_CODES.has(code) || /CERT|SSL|TLS/.test(code))
    ) {
      return code;
    }
  }
  return undefined;
}

/** The error, then its causes (fetch's `TypeError: fetch failed` hides the reason there). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let current = error;
    current && typeof current === 'object' && chain.length < 6;
    current =
      (current as { cause?: unknown }).cause ??
      (current as { errors?: unknown[] }).errors?.[0]
  ) {
    chain.push(current);
  }
  return chain;
}

/** The innermost message, which says more than `fetch failed`. */
function describe(error: unknown): string {
  const innermost = causes(error).at(-1) ?? error;
  return innermost instanceof Error ? innermost.message : String(innermost);
}

/** The scopes a token says it carries (its `scope` claim), or undefined when it is not a JWT. */
export function grantedScopes(token: string): string[] | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) {
    return undefined;
  }
  try {
    const { scope } = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    return typeof scope === 'string' ? scope.split(' ') : undefined;
  } catch {
    return undefined;
  }
}

/** The token lacks scopes this provider needs: where to grant them. */
export function explainMissingScopes(
  missing: string[],
  context: FailureContext,
): string {
  return `The Management API token of ${context.clientId} for ${
    context.keyPrefix
  } lacks ${missing.join(
    ', ',
  )}: in the ${MANAGEMENT_API_GRANTS}, grant the application ${
    context.clientId
  } ${context.requiredScopes.join(', ')}; until then every run fails`;
}
