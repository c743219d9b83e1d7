import { isRecord } from './jsonValues.ts';
import { AdminRequestError } from './rolesClaim.ts';
import { createUrlAllowList, type UrlAllowList } from './urlAllowList.ts';

/**
 * The sign-in application's settings that an Auth0 admin changes in the Dashboard (or with
 * `PATCH /api/v2/clients/{id}`) and that decide whether Backstage's sign-in works: the
 * allowed callback and logout URLs, the grant types, the refresh token reuse interval, the
 * ID token's signing algorithm and the OIDC Conformant flag. Refresh-token rotation is the
 * `refreshTokenRotation` knob, which predates this.
 *
 * The OIDC side enforces what is cheap to enforce: callbacks at `/authorize`, logout URLs at
 * `/v2/logout`, the two grant types at `/authorize` and `/oauth/token`, and the reuse interval
 * when a rotated refresh token comes back. The algorithm and the flag are only reported: ID
 * tokens stay RS256.
 */
export type ApplicationSettings = {
  callbacks: UrlAllowList;
  logoutUrls: UrlAllowList;
  /** Of {@link applicationGrantTypes}. */
  grantTypes: string[];
  oidcConformant: boolean;
  /** `jwt_configuration.alg`. */
  signingAlgorithm: string;
  /** `refresh_token.leeway`: seconds in which a rotated refresh token still works. */
  leewaySeconds: number;
};

/** What `PATCH /clients/{id}` takes: Auth0's field names, each optional. */
export type ApplicationPatch = {
  callbacks?: string[];
  allowed_logout_urls?: string[];
  grant_types?: string[];
  oidc_conformant?: boolean;
  jwt_configuration?: { alg?: string };
  refresh_token?: { rotation_type?: string; leeway?: number };
};

/** The grant types the sign-in application can have; the dev server enforces both. */
export const applicationGrantTypes = ['authorization_code', 'refresh_token'];
/** Auth0's `jwt_configuration.alg` values. */
const signingAlgorithms = ['HS256', 'RS256', 'RS512', 'PS256'];
const rotationTypes = ['rotating', 'non-rotating'];
/** Auth0's longest refresh token lifetime (5 years); no reuse interval is longer. */
const maxLeewaySeconds = 157_788_000;

/** Refresh tokens live 30 days, as `ttl.RefreshToken` in provider.ts; idle expiry is not enforced. */
const refreshTokenLifetimeSeconds = 2_592_000;
const idleRefreshTokenLifetimeSeconds = 1_296_000;
/** ID tokens live 10 hours, as `ttl.IdToken` in provider.ts. */
const idTokenLifetimeSeconds = 36_000;

export function startApplicationSettings(options: {
  callbacks: string[];
  logoutUrls: string[];
  leewaySeconds: number;
}): ApplicationSettings {
  checkLeeway(options.leewaySeconds, 'refreshTokenLeeway');
  return {
    callbacks: createUrlAllowList(options.callbacks, 'redirect URI'),
    logoutUrls: createUrlAllowList(options.logoutUrls, 'logout URL'),
    grantTypes: [...applicationGrantTypes],
    oidcConformant: true,
    signingAlgorithm: 'RS256',
    leewaySeconds: options.leewaySeconds,
  };
}

function checkLeeway(value: unknown, name: string) {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > maxLeewaySeconds
  ) {
    throw new Error(
      `auth0-dev-server: ${name} must be a whole number of seconds from 0 to ${maxLeewaySeconds}, not ${value}`,
    );
  }
}

const patchFields = [
  'callbacks',
  'allowed_logout_urls',
  'grant_types',
  'oidc_conformant',
  'jwt_configuration',
  'refresh_token',
];

/**
 * The settings after `input`, and the rotation it asks for (undefined: unchanged), or an
 * AdminRequestError (400) naming every problem: unknown fields, values of the wrong type or
 * outside Auth0's, URLs that cannot be callbacks. Nothing changes unless all of it is right.
 */
export function applyApplicationPatch(
  current: ApplicationSettings,
  input: unknown,
): { settings: ApplicationSettings; rotating?: boolean } {
  if (!isRecord(input)) {
    throw new AdminRequestError(400, [
      `the body must be a JSON object with some of ${patchFields.join(', ')}`,
    ]);
  }
  const problems: string[] = [];
  const unknown = Object.keys(input).filter(key => !patchFields.includes(key));
  if (unknown.length > 0) {
    problems.push(
      `unknown field${unknown.length === 1 ? '' : 's'} ${unknown
        .map(key => `"${key}"`)
        .join(', ')}; the fields that can change are ${patchFields.join(', ')}`,
    );
  }
  const settings = { ...current };
  let rotating: boolean | undefined;

  const urls = (key: string, what: string): UrlAllowList | undefined => {
    const value = input[key];
    if (value === undefined) return undefined;
    if (!isStringList(value)) {
      problems.push(`${key} must be a list of URLs`);
      return undefined;
    }
    try {
      return createUrlAllowList(value, what);
    } catch (error) {
      problems.push(
        `${key}: ${(error as Error).message.replace(
          /^auth0-dev-server: /,
          '',
        )}`,
      );
      return undefined;
    }
  };
  settings.callbacks = urls('callbacks', 'callback URL') ?? settings.callbacks;
  settings.logoutUrls =
    urls('allowed_logout_urls', 'logout URL') ?? settings.logoutUrls;

  if (input.grant_types !== undefined) {
    const value = input.grant_types;
    const others = isStringList(value)
      ? value.filter(type => !applicationGrantTypes.includes(type))
      : [];
    if (!isStringList(value) || others.length > 0) {
      problems.push(
        `grant_types must be a list of ${applicationGrantTypes.join(
          ' and ',
        )}, the grant types the dev server's sign-in application has${
          others.length > 0 ? `, not ${others.join(', ')}` : ''
        }`,
      );
    } else {
      settings.grantTypes = applicationGrantTypes.filter(type =>
        value.includes(type),
      );
    }
  }

  if (input.oidc_conformant !== undefined) {
    if (typeof input.oidc_conformant !== 'boolean') {
      problems.push('oidc_conformant must be true or false');
    } else {
      settings.oidcConformant = input.oidc_conformant;
    }
  }

  const section = (key: string, fields: string[]) => {
    const value = input[key];
    if (value === undefined) return undefined;
    if (!isRecord(value)) {
      problems.push(`${key} must be an object with ${fields.join(' or ')}`);
      return undefined;
    }
    for (const field of Object.keys(value)) {
      if (!fields.includes(field)) {
        problems.push(
          `${key}.${field} cannot be changed on the dev server; ${key} takes ${fields.join(
            ' and ',
          )}`,
        );
      }
    }
    return value;
  };

  const jwt = section('jwt_configuration', ['alg']);
  if (jwt?.alg !== undefined) {
    if (!signingAlgorithms.includes(jwt.alg as string)) {
      problems.push(
        `jwt_configuration.alg must be one of ${signingAlgorithms.join(', ')}`,
      );
    } else {
      settings.signingAlgorithm = jwt.alg as string;
    }
  }

  const refreshToken = section('refresh_token', ['rotation_type', 'leeway']);
  if (refreshToken?.rotation_type !== undefined) {
    if (!rotationTypes.includes(refreshToken.rotation_type as string)) {
      problems.push(
        `refresh_token.rotation_type must be ${rotationTypes.join(' or ')}`,
      );
    } else {
      rotating = refreshToken.rotation_type === 'rotating';
    }
  }
  if (refreshToken?.leeway !== undefined) {
    try {
      checkLeeway(refreshToken.leeway, 'refresh_token.leeway');
      settings.leewaySeconds = refreshToken.leeway as number;
    } catch (error) {
      problems.push(
        (error as Error).message.replace(/^auth0-dev-server: /, ''),
      );
    }
  }

  if (problems.length > 0) throw new AdminRequestError(400, problems);
  return { settings, ...(rotating === undefined ? {} : { rotating }) };
}

/**
 * The sign-in application as `GET /api/v2/clients/{id}` shows it, in Auth0's field order and
 * shape for a Regular Web Application. `clientSecret` only when the caller may read keys.
 */
export function signInApplicationAsClient(input: {
  clientId: string;
  clientSecret?: string;
  tenant: string;
  settings: ApplicationSettings;
  rotating: boolean;
}): Record<string, unknown> {
  const { settings } = input;
  return {
    tenant: input.tenant,
    global: false,
    is_token_endpoint_ip_header_trusted: false,
    name: 'Backstage (auth0-dev-server)',
    is_first_party: true,
    oidc_conformant: settings.oidcConformant,
    sso_disabled: false,
    cross_origin_auth: false,
    refresh_token: {
      expiration_type: 'expiring',
      leeway: settings.leewaySeconds,
      token_lifetime: refreshTokenLifetimeSeconds,
      idle_token_lifetime: idleRefreshTokenLifetimeSeconds,
      infinite_token_lifetime: false,
      infinite_idle_token_lifetime: true,
      rotation_type: input.rotating ? 'rotating' : 'non-rotating',
    },
    allowed_clients: [],
    allowed_logout_urls: [...settings.logoutUrls.entries],
    callbacks: [...settings.callbacks.entries],
    allowed_origins: [],
    web_origins: [],
    client_id: input.clientId,
    callback_url_template: false,
    ...(input.clientSecret === undefined
      ? {}
      : { client_secret: input.clientSecret }),
    jwt_configuration: {
      alg: settings.signingAlgorithm,
      lifetime_in_seconds: idTokenLifetimeSeconds,
      secret_encoded: false,
    },
    token_endpoint_auth_method: 'client_secret_post',
    app_type: 'regular_web',
    grant_types: [...settings.grantTypes],
    custom_login_page_on: true,
  };
}

/** The machine-to-machine application as `GET /api/v2/clients/{id}` shows it. */
export function managementApplicationAsClient(input: {
  clientId: string;
  clientSecret?: string;
  tenant: string;
}): Record<string, unknown> {
  return {
    tenant: input.tenant,
    global: false,
    is_token_endpoint_ip_header_trusted: false,
    name: 'Backstage catalog (auth0-dev-server)',
    is_first_party: true,
    oidc_conformant: true,
    sso_disabled: false,
    cross_origin_auth: false,
    refresh_token: {
      expiration_type: 'non-expiring',
      leeway: 0,
      infinite_token_lifetime: true,
      infinite_idle_token_lifetime: true,
      token_lifetime: 31_557_600,
      idle_token_lifetime: 2_592_000,
      rotation_type: 'non-rotating',
    },
    allowed_clients: [],
    allowed_logout_urls: [],
    callbacks: [],
    allowed_origins: [],
    web_origins: [],
    client_id: input.clientId,
    callback_url_template: false,
    ...(input.clientSecret === undefined
      ? {}
      : { client_secret: input.clientSecret }),
    jwt_configuration: {
      alg: 'RS256',
      lifetime_in_seconds: idTokenLifetimeSeconds,
      secret_encoded: false,
    },
    token_endpoint_auth_method: 'client_secret_post',
    app_type: 'non_interactive',
    grant_types: ['client_credentials'],
    custom_login_page_on: true,
  };
}

function isStringList(value: unknown): value is string[] {
  return (
    Array.isArray(value) && value.every(entry => typeof entry === 'string')
  );
}
