import { CustomErrorBase } from '@backstage/errors';

/*
 * Why a sign-in or refresh was refused. The error `name` is the reason: the auth
 * backend hands `{ name, message }` to the sign-in popup, and the frontend picks its
 * advice by name. Messages say what happened to the person and never carry a token.
 */

/** No catalog User matches the Auth0 email (after every configured resolver). */
export class CatalogUserNotFoundError extends CustomErrorBase {
  name = 'CatalogUserNotFoundError' as const;
  constructor(readonly email: string) {
    super(
      `No Backstage user has the email ${email}. Ask the platform team to add a User entity ` +
        `with spec.profile.email: ${email} to the catalog, then sign in again.`,
    );
  }
}

/** Auth0 has not marked the email as verified, and the resolver requires it. */
export class EmailNotVerifiedError extends CustomErrorBase {
  name = 'EmailNotVerifiedError' as const;
  constructor(readonly email: string) {
    super(
      `The email ${email} is not verified in Auth0. Open the verification email Auth0 ` +
        `sent you (or ask for a new one), then sign in again.`,
    );
  }
}

/** The email's domain is not in the resolver's `allowedDomains`. */
export class EmailDomainNotAllowedError extends CustomErrorBase {
  name = 'EmailDomainNotAllowedError' as const;
  constructor(readonly email: string, readonly allowedDomains: string[]) {
    super(
      `Sign-in with ${email} is not allowed: only ${allowedDomains
        .map(domain => `@${domain}`)
        .join(', ')} addresses can sign in. Sign in with your work account.`,
    );
  }
}

/** More than one catalog User has the email; signing in as either would be a guess. */
export class AmbiguousCatalogUserError extends CustomErrorBase {
  name = 'AmbiguousCatalogUserError' as const;
  constructor(readonly email: string, readonly entityRefs: string[]) {
    super(
      `More than one Backstage user has the email ${email}, so sign-in cannot tell which ` +
        `one you are. Ask the platform team to keep that email on one User entity only.`,
    );
  }
}

/** Auth0 gave no email claim, so no email-based resolver can work. */
export class MissingEmailError extends CustomErrorBase {
  name = 'MissingEmailError' as const;
  constructor() {
    super(
      'Auth0 did not return an email for your account, so Backstage cannot find your user. ' +
        'Ask the platform team to request the `email` scope and to give your Auth0 account an email.',
    );
  }
}

/** Auth0 answered with an OAuth error (`access_denied`, `invalid_grant`, ...). */
export class Auth0RefusedError extends CustomErrorBase {
  name = 'Auth0RefusedError' as const;
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

/** Auth0 could not be reached, timed out, or answered with a server error. */
export class Auth0UnavailableError extends CustomErrorBase {
  name = 'Auth0UnavailableError' as const;
  constructor(readonly detail: string, cause?: unknown) {
    super(
      `Auth0 is unreachable or failing (${detail}). Wait a minute and try again; ` +
        `if it persists, the platform team should check the Auth0 tenant and the network.`,
      cause,
    );
  }
}

/** The ID token from Auth0 is missing or failed verification. */
export class InvalidIdTokenError extends CustomErrorBase {
  name = 'InvalidIdTokenError' as const;
  constructor(readonly detail: string, cause?: unknown) {
    super(
      `Auth0's ID token could not be verified (${detail}). This usually means AUTH_AUTH0_DOMAIN ` +
        `or AUTH_AUTH0_CLIENT_ID does not match the tenant and application that signed you in; ` +
        `tell the platform team this message.`,
      cause,
    );
  }
}
