import { CustomErrorBase } from '@backstage/errors';
import type { Auth0SignInErrorName } from '@backstage-auth0/plugin-auth0-common';

/*
 * Why a sign-in or refresh was refused. The error `name` is the reason: the auth
 * backend hands `{ name, message }` to the sign-in popup, and the frontend picks its
 * advice by name, from the list in @backstage-auth0/plugin-auth0-common: each `name` below
 * `satisfies` that list, so a reason the frontend has no advice for fails the type check.
 * Messages say what happened to the person and never carry a token.
 */

/**
 * No catalog User matches the Auth0 email (after every configured resolver).
 *
 * @public
 */
export class CatalogUserNotFoundError extends CustomErrorBase {
  name = 'CatalogUserNotFoundError' as const satisfies Auth0SignInErrorName;
  constructor(readonly email: string) {
    super(
      `No Backstage user has the email ${email}. Ask the platform team to add a User entity ` +
        `with spec.profile.email: ${email} to the catalog, then sign in again.`,
    );
  }
}

/**
 * Auth0 has not marked the email as verified, and the resolver requires it.
 *
 * @public
 */
export class EmailNotVerifiedError extends CustomErrorBase {
  name = 'EmailNotVerifiedError' as const satisfies Auth0SignInErrorName;
  constructor(readonly email: string) {
    super(
      `The email ${email} is not verified in Auth0. Open the verification email Auth0 ` +
        `sent you (or ask for a new one), then sign in again.`,
    );
  }
}

/**
 * The email's domain is not in the resolver's `allowedDomains`.
 *
 * @public
 */
export class EmailDomainNotAllowedError extends CustomErrorBase {
  name = 'EmailDomainNotAllowedError' as const satisfies Auth0SignInErrorName;
  constructor(readonly email: string, readonly allowedDomains: string[]) {
    super(
      `Sign-in with ${email} is not allowed: only ${allowedDomains
        .map(domain => `@${domain}`)
        .join(', ')} addresses can sign in. Sign in with your work account.`,
    );
  }
}

/**
 * More than one catalog User has the email; signing in as either would be a guess. The
 * entity refs go to the log only: error properties reach the browser in error bodies.
 *
 * @public
 */
export class AmbiguousCatalogUserError extends CustomErrorBase {
  name = 'AmbiguousCatalogUserError' as const satisfies Auth0SignInErrorName;
  constructor(readonly email: string) {
    super(
      `More than one Backstage user has the email ${email}, so sign-in cannot tell which ` +
        `one you are. Ask the platform team to keep that email on one User entity only.`,
    );
  }
}

/**
 * The User whose name is the email's local part has another email in the catalog: same
 * name, maybe a different person.
 *
 * @public
 */
export class CatalogUserEmailMismatchError extends CustomErrorBase {
  name =
    'CatalogUserEmailMismatchError' as const satisfies Auth0SignInErrorName;
  constructor(readonly email: string, readonly catalogEmail: string) {
    super(
      `The Backstage user named after ${email} has another email in the catalog (${catalogEmail}), ` +
        `so signing in as that user could mean signing in as someone else. Ask the platform team to ` +
        `give your User entity spec.profile.email: ${email}, then sign in again.`,
    );
  }
}

/**
 * The ID token names another Auth0 organization, or none, than the configured one.
 *
 * @public
 */
export class OrganizationMismatchError extends CustomErrorBase {
  name = 'OrganizationMismatchError' as const satisfies Auth0SignInErrorName;
  constructor(readonly expected: string, readonly actual: string | undefined) {
    super(
      `You signed in through ${
        actual ? `the Auth0 organization ${actual}` : 'no Auth0 organization'
      }, but this Backstage accepts only members of ${expected}. Sign in again and choose ` +
        `${expected} when Auth0 asks; if you are not a member, ask the platform team to invite you.`,
    );
  }
}

/**
 * The refresh cookie cannot be a refresh token Auth0 issued; nothing was asked of Auth0.
 *
 * @public
 */
export class InvalidSessionCookieError extends CustomErrorBase {
  name = 'InvalidSessionCookieError' as const satisfies Auth0SignInErrorName;
  constructor() {
    super(
      'The session cookie is not one this Backstage issued, so the session cannot be ' +
        'refreshed. Sign in again.',
    );
  }
}

/**
 * Auth0 gave no email claim, so no email-based resolver can work.
 *
 * @public
 */
export class MissingEmailError extends CustomErrorBase {
  name = 'MissingEmailError' as const satisfies Auth0SignInErrorName;
  constructor() {
    super(
      'Auth0 did not return an email for your account, so Backstage cannot find your user. ' +
        'Ask the platform team to request the `email` scope and to give your Auth0 account an email.',
    );
  }
}

/**
 * Auth0 answered with an OAuth error (`access_denied`, `invalid_grant`, ...).
 *
 * @public
 */
export class Auth0RefusedError extends CustomErrorBase {
  name = 'Auth0RefusedError' as const satisfies Auth0SignInErrorName;
  constructor(
    readonly oauthError: string,
    readonly description: string | undefined,
  ) {
    super(
      `Auth0 refused the sign-in: ${
        description || oauthError
      } (${oauthError}). ` +
        `Try again; if it keeps happening, tell the platform team this message.`,
    );
  }
}

/**
 * Auth0 could not be reached, timed out, answered with a server error or rate-limited us.
 * A refresh that fails this way answers 503, so the person keeps their session.
 *
 * @public
 */
export class Auth0UnavailableError extends CustomErrorBase {
  name = 'Auth0UnavailableError' as const satisfies Auth0SignInErrorName;
  constructor(
    readonly detail: string,
    cause?: unknown,
    /** When to try again, from Auth0's own rate-limit headers when it sent them. */
    readonly retryAfterSeconds?: number,
  ) {
    super(
      `Auth0 is unreachable or failing (${detail}). Wait a minute and try again; ` +
        `if it persists, the platform team should check the Auth0 tenant and the network.`,
      cause,
    );
  }
}

/**
 * The ID token from Auth0 is missing or failed verification.
 *
 * @public
 */
export class InvalidIdTokenError extends CustomErrorBase {
  name = 'InvalidIdTokenError' as const satisfies Auth0SignInErrorName;
  constructor(readonly detail: string, cause?: unknown) {
    super(
      `Auth0's ID token could not be verified (${detail}). This usually means AUTH_AUTH0_DOMAIN ` +
        `or AUTH_AUTH0_CLIENT_ID does not match the tenant and application that signed you in; ` +
        `tell the platform team this message.`,
      cause,
    );
  }
}
