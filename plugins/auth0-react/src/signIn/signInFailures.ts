import {
  Auth0SignInErrorName,
  isAuth0SignInErrorName,
} from '@backstage-auth0/plugin-auth0-common';

/** What the sign-in page shows when signing in did not work. */
export type SignInFailure = {
  /** What happened, in a few words. */
  title: string;
  /** The detail: the backend's own message when there is one (it names the email). */
  message: string;
  /** What the person can do next. */
  advice: string;
};

const ASK_PLATFORM_TEAM =
  'Send this message to the platform team; signing in again will not help until they fix it.';

type Advice = { title: string; advice: string };

/**
 * Advice for every refusal the backend module sends (it reaches the popup and the refresh as
 * `{ name, message }`). Keyed by the shared names, so a name added on one side only fails
 * the type check.
 */
const BACKEND_FAILURES: Record<Auth0SignInErrorName, Advice> = {
  CatalogUserNotFoundError: {
    title: 'Your account has no Backstage user yet',
    advice:
      'Send the platform team the email above. You can sign in once a User entity with that email is in the catalog.',
  },
  EmailNotVerifiedError: {
    title: 'Your email is not verified in Auth0',
    advice:
      'Open the verification email from Auth0 and follow its link, then click "Sign in with Auth0" again.',
  },
  EmailDomainNotAllowedError: {
    title: 'This email cannot sign in here',
    advice:
      'Sign in with your work account. If Auth0 picks the other account again by itself, sign in from a private window.',
  },
  AmbiguousCatalogUserError: {
    title: 'More than one Backstage user has your email',
    advice: ASK_PLATFORM_TEAM,
  },
  CatalogUserEmailMismatchError: {
    title: 'Your Backstage user has another email',
    advice:
      'Send this message to the platform team: the User entity named after you must have the email you signed in with. Sign in again once they have changed it; until then, signing in again will not help.',
  },
  OrganizationMismatchError: {
    title: 'You signed in through another Auth0 organization',
    advice:
      'Click "Sign in with Auth0" and choose the organization named above when Auth0 asks. If Auth0 does not ask, sign in from a private window. If you are not a member of that organization, ask the platform team to invite you.',
  },
  MissingEmailError: {
    title: 'Auth0 sent no email for your account',
    advice: ASK_PLATFORM_TEAM,
  },
  Auth0RefusedError: {
    title: 'Auth0 refused the sign-in',
    advice:
      'If you cancelled, click "Sign in with Auth0" to start again. If you did not, try again once; if it happens again, send this message to the platform team.',
  },
  Auth0UnavailableError: {
    title: 'Auth0 cannot be reached',
    advice:
      'Wait a minute and click "Sign in with Auth0" again. If it lasts, tell the platform team.',
  },
  InvalidIdTokenError: {
    title: "Auth0's answer could not be verified",
    advice: `This is a configuration problem, not your account. ${ASK_PLATFORM_TEAM}`,
  },
  InvalidSessionCookieError: {
    title: 'Your earlier sign-in could not be renewed',
    advice:
      'Click "Sign in with Auth0" to sign in again. If this comes back after signing in, send this message to the platform team.',
  },
};

/**
 * Failures the browser side names: Backstage's popup helper and OAuth client in
 * core-app-api, and this package's guest sign-in. `PopupClosedError` is described below,
 * since what it means depends on its message.
 */
type BrowserSignInErrorName =
  | 'PopupRejectedError'
  | 'GuestSignInError'
  | 'AuthConnectionError';

const BROWSER_FAILURES: Record<BrowserSignInErrorName, Advice> = {
  PopupRejectedError: {
    title: 'Your browser blocked the sign-in window',
    advice:
      'Allow pop-ups for this site (usually from an icon at the end of the address bar), then click "Sign in with Auth0" again.',
  },
  GuestSignInError: {
    title: 'Guest sign-in is not available',
    advice:
      'Sign in with Auth0, or start the backend with auth.environment set to development.',
  },
  AuthConnectionError: {
    title: 'Backstage cannot be reached',
    advice:
      'Check your network connection, then click "Sign in with Auth0" again.',
  },
};

/** Backstage's popup helper: `Login failed, Incorrect app origin, expected <origin>`. */
const WRONG_ORIGIN = /Incorrect app origin, expected (\S+)/;

/** Turns whatever a sign-in attempt threw into what the page shows. */
export function describeSignInFailure(error: unknown): SignInFailure {
  const { name, message } = toNameAndMessage(error);

  if (name === 'PopupClosedError') {
    const expectedOrigin = WRONG_ORIGIN.exec(message)?.[1];
    if (expectedOrigin) {
      return {
        title: 'Backstage is open at an address it does not expect',
        message: `Sign-in answers only to ${expectedOrigin}, and this page is ${window.location.origin}.`,
        advice: `Open Backstage at ${expectedOrigin} and sign in there. If this address is the right one, ask the platform team to set app.baseUrl to it.`,
      };
    }
    return {
      title: 'The sign-in window was closed',
      message: 'The Auth0 window closed before sign-in finished.',
      advice:
        'Click "Sign in with Auth0" and finish in the window that opens; it closes by itself when you are signed in.',
    };
  }

  if (name === 'PopupRejectedError') {
    return {
      ...BROWSER_FAILURES.PopupRejectedError,
      message: 'The browser did not let Backstage open the Auth0 window.',
    };
  }

  if (isAuth0SignInErrorName(name)) {
    return { ...BACKEND_FAILURES[name], message };
  }
  if (isBrowserSignInErrorName(name)) {
    return { ...BROWSER_FAILURES[name], message };
  }
  return {
    title: 'Sign-in failed',
    message,
    advice:
      'Click "Sign in with Auth0" to try again. If it fails again, send this message to the platform team.',
  };
}

function isBrowserSignInErrorName(
  name: string,
): name is BrowserSignInErrorName {
  return Object.hasOwn(BROWSER_FAILURES, name);
}

function toNameAndMessage(error: unknown): { name: string; message: string } {
  if (error instanceof Error || (typeof error === 'object' && error !== null)) {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return {
      name: typeof name === 'string' ? name : '',
      message: typeof message === 'string' && message ? message : String(error),
    };
  }
  return { name: '', message: String(error) };
}
