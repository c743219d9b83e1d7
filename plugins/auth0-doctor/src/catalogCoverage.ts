import type {
  AmbiguousCatalogUserError,
  Auth0SignInInfo,
  CatalogUserEmailMismatchError,
  EmailDomainNotAllowedError,
  SignInResolverChain,
} from '@backstage-auth0/plugin-auth-backend-module-auth0';
import { AUTH0_REQUIRED_SCOPES } from '@backstage-auth0/plugin-auth0-common';
import {
  ExportedUser,
  exportUsers,
  ManagementApi,
} from '@backstage-auth0/plugin-catalog-backend-module-auth0';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { CatalogClient } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { ManagementError } from 'auth0';
import { externalAccessToken } from './backendToken';
import { CheckResult, CHECKS, fail, pass, skip } from './checks';
import { SignInSettings } from './configChecks';
import { describeFetchError } from './fetchErrors';
import { LocalCatalog } from './localCatalog';

const PAGE_SIZE = 500;

/** Why sign-in would refuse someone, in the order the report lists them. */
const REASONS = [
  'CatalogUserNotFoundError',
  'EmailNotVerifiedError',
  'EmailDomainNotAllowedError',
  'AmbiguousCatalogUserError',
  'CatalogUserEmailMismatchError',
  'MissingEmailError',
];

/**
 * Which Auth0 users sign-in would refuse, and why: the users of the Management API (a user
 * export, as the catalog provider reads them; blocked users are left out, as Auth0 refuses
 * them itself), each put through the configured resolvers of the module against the catalog
 * of the running backend, read with an external access token from the config.
 */
export async function checkCatalogCoverage(options: {
  config: Config;
  /** Where the backend is, if not `backend.baseUrl`. */
  backendUrl?: string;
  api?: ManagementApi;
  /** Why there is no Management API, for when there is none. */
  noApi: { message: string; fix: string };
  managementClientId?: string;
  signIn: SignInSettings;
  catalog: LocalCatalog;
  fetch: typeof fetch;
  progress: (message: string) => void;
}): Promise<CheckResult> {
  const { api, signIn, catalog } = options;
  if (!api) {
    return skip(
      CHECKS.catalogCoverage,
      options.noApi.message,
      options.noApi.fix,
    );
  }
  const access = await externalAccessToken(options.config);
  if (!access) {
    return skip(
      CHECKS.catalogCoverage,
      'the config has no static or legacy token in backend.auth.externalAccess to read the catalog with',
      'add one, e.g. { type: static, options: { token: <random>, subject: auth0-doctor } } (app-config.production.yaml has a legacy one: set BACKEND_SECRET)',
    );
  }
  const backendUrl = (
    options.backendUrl ?? options.config.getOptionalString('backend.baseUrl')
  )?.replace(/\/+$/, '');
  if (!backendUrl) {
    return skip(
      CHECKS.catalogCoverage,
      'backend.baseUrl is not set, so the catalog cannot be found',
      'set backend.baseUrl, or pass --backend-url',
    );
  }

  options.progress(`reading the catalog's users from ${backendUrl}`);
  try {
    catalog.replace(
      await readCatalogUsers(backendUrl, access.token, options.fetch),
    );
  } catch (error) {
    const status = (error as { response?: { status?: number } }).response
      ?.status;
    return skip(
      CHECKS.catalogCoverage,
      status
        ? `the backend at ${backendUrl} answered ${status} to the token of ${access.from}`
        : `cannot reach the backend at ${backendUrl} (${describeFetchError(
            error,
          )})`,
      status
        ? 'run the doctor with the config (and secrets) the running backend has'
        : 'start the backend, or tell the doctor where it is with --backend-url',
    );
  }

  options.progress('reading the Auth0 users (a user export job)');
  let assessed: Assessment;
  try {
    assessed = await assessUsers({
      users: exportUsers({ api, logger: progressLogger(options.progress) }),
      chain: signIn.chain,
      catalog,
      connection: signIn.context.settings.connection,
    });
  } catch (error) {
    const status = error instanceof ManagementError ? error.statusCode : 0;
    return skip(
      CHECKS.catalogCoverage,
      `the Auth0 users could not be read (${
        error instanceof Error ? error.message : String(error)
      })`,
      status === 403
        ? `grant ${options.managementClientId} read:users (Auth0 Dashboard > Applications > APIs > Auth0 Management API > Machine To Machine Applications)`
        : 'run the doctor again; the catalog provider reads users the same way, so its log may say more',
    );
  }
  const { considered, blocked, otherConnection, refusals } = assessed;
  const { connection } = signIn.context.settings;

  const counted = [
    `${catalog.size} catalog users`,
    ...(blocked > 0 ? [`${blocked} blocked Auth0 users left out`] : []),
    ...(otherConnection > 0
      ? [
          `${otherConnection} users of connections other than ${connection} left out`,
        ]
      : []),
    ...(signIn.unknownResolvers.length > 0
      ? [`the resolvers ${signIn.unknownResolvers.join(', ')} not run`]
      : []),
  ].join('; ');
  if (refusals.length === 0) {
    return pass(
      CHECKS.catalogCoverage,
      `all ${considered} Auth0 users would be signed in (${counted})`,
    );
  }
  return fail(
    CHECKS.catalogCoverage,
    `${refusals.length} of ${considered} Auth0 users would be refused at sign-in (${counted})`,
    'each line below says what to do; this is the list to clear before go-live',
    await describeRefusals(refusals, catalog),
  );
}

/** What sign-in would make of the users: how many it was asked about, and whom it refuses. */
export type Assessment = {
  considered: number;
  /** Left out: Auth0 refuses blocked users itself. */
  blocked: number;
  /** Left out: users of another connection than the configured `connection`. */
  otherConnection: number;
  refusals: Refusal[];
};

/** One user sign-in would refuse, and the module's error that says why. */
export type Refusal = { email?: string; userId: string; error: Error };

/**
 * Puts each Auth0 user (as the user export writes them) through the configured resolvers of
 * the module, with the claims of the ID token Auth0 would issue, against the catalog's users.
 */
export async function assessUsers(options: {
  users: AsyncIterable<ExportedUser>;
  chain: SignInResolverChain;
  catalog: LocalCatalog;
  connection?: string;
}): Promise<Assessment> {
  const assessment: Assessment = {
    considered: 0,
    blocked: 0,
    otherConnection: 0,
    refusals: [],
  };
  const resolverContext = options.catalog.resolverContext();
  for await (const user of options.users) {
    const userId = text(user.user_id);
    if (!userId) continue;
    if (user.blocked === true) {
      assessment.blocked++;
      continue;
    }
    const identities = Array.isArray(user.identities)
      ? (user.identities as Array<{ connection?: unknown }>)
      : [];
    if (
      options.connection &&
      identities[0]?.connection !== options.connection
    ) {
      assessment.otherConnection++;
      continue;
    }
    assessment.considered++;
    try {
      await options.chain.resolve(signInInfo(userId, user), resolverContext);
    } catch (error) {
      assessment.refusals.push({
        email: text(user.email),
        userId,
        error: error as Error,
      });
    }
  }
  return assessment;
}

/** One line per refused user, by reason then email: who, why, and what to do. */
export async function describeRefusals(
  refusals: Refusal[],
  catalog: LocalCatalog,
): Promise<string[]> {
  return Promise.all(
    sortRefusals(refusals).map(async refusal => {
      const { reason, fix } = await explainRefusal(refusal, catalog);
      return `${refusal.email ?? '(no email)'} (${
        refusal.userId
      }): ${reason} — ${fix}`;
    }),
  );
}

/** Every User entity of the catalog, page by page, with what resolvers look at. */
async function readCatalogUsers(
  backendUrl: string,
  token: string,
  fetchApi: typeof fetch,
): Promise<Entity[]> {
  const client = new CatalogClient({
    discoveryApi: { getBaseUrl: async () => `${backendUrl}/api/catalog` },
    fetchApi: { fetch: fetchApi },
  });
  const users: Entity[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.queryEntities(
      cursor
        ? { cursor, limit: PAGE_SIZE }
        : {
            filter: { kind: 'User' },
            fields: ['apiVersion', 'kind', 'metadata', 'spec'],
            limit: PAGE_SIZE,
          },
      { token },
    );
    users.push(...page.items);
    cursor = page.pageInfo.nextCursor;
  } while (cursor);
  return users;
}

/** What the module's resolvers get at sign-in: the claims of the ID token Auth0 would issue. */
function signInInfo(
  userId: string,
  user: Record<string, unknown>,
): Auth0SignInInfo {
  const email = text(user.email);
  const name = text(user.name);
  const picture = text(user.picture);
  return {
    profile: { email, displayName: name, picture },
    result: {
      fullProfile: {
        sub: userId,
        ...(email ? { email } : {}),
        email_verified: user.email_verified === true,
        ...(name ? { name } : {}),
        ...(picture ? { picture } : {}),
      },
      session: {
        accessToken: '',
        tokenType: 'Bearer',
        scope: AUTH0_REQUIRED_SCOPES.join(' '),
      },
    },
  };
}

function sortRefusals(refusals: Refusal[]): Refusal[] {
  const rank = (refusal: Refusal) => {
    const index = REASONS.indexOf(refusal.error.name);
    return index < 0 ? REASONS.length : index;
  };
  return [...refusals].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.email ?? '').localeCompare(b.email ?? '') ||
      a.userId.localeCompare(b.userId),
  );
}

async function explainRefusal(
  { email, error }: Refusal,
  catalog: LocalCatalog,
): Promise<{ reason: string; fix: string }> {
  switch (error.name) {
    case 'CatalogUserNotFoundError':
      return {
        reason: 'no catalog user',
        fix: `add a User entity with spec.profile.email: ${email}`,
      };
    case 'EmailNotVerifiedError':
      return {
        reason: 'email not verified in Auth0',
        fix: 'the person opens the verification email, or an admin verifies the user in the Auth0 Dashboard (User Management > Users)',
      };
    case 'EmailDomainNotAllowedError':
      return {
        reason: `domain not allowed (allowedDomains: ${(
          error as EmailDomainNotAllowedError
        ).allowedDomains.join(', ')})`,
        fix: "add the domain to the resolvers' allowedDomains, or leave the user out of this tenant",
      };
    case 'AmbiguousCatalogUserError': {
      const owners = await catalog.usersWithEmail(
        (error as AmbiguousCatalogUserError).email,
      );
      return {
        reason: `more than one catalog user has the email (${owners
          .map(owner => stringifyEntityRef(owner))
          .join(', ')})`,
        fix: 'keep the email on one User entity',
      };
    }
    case 'CatalogUserEmailMismatchError':
      return {
        reason: `the catalog user named after the email has another email (${
          (error as CatalogUserEmailMismatchError).catalogEmail
        })`,
        fix: `give that User entity spec.profile.email: ${email}, or set allowEmailMismatch: true on emailLocalPartMatchingUserEntityName`,
      };
    case 'MissingEmailError':
      return {
        reason: 'no email in Auth0',
        fix: 'give the account an email in Auth0',
      };
    default:
      return {
        reason: `${error.name}: ${error.message}`,
        fix: 'see docs/troubleshooting.md for this message',
      };
  }
}

/** The export's own progress lines, for the report's progress output. */
function progressLogger(progress: (message: string) => void): LoggerService {
  const logger: LoggerService = {
    error: message => progress(message),
    warn: message => progress(message),
    info: message => progress(message),
    debug() {},
    child: () => logger,
  };
  return logger;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
