import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { IdentityApi } from '@backstage/frontend-plugin-api';
import { createRealAuth0Auth } from '../__testUtils__/realAuth0Auth';
import {
  findAuth0Button,
  findGuestButton,
  queryAuth0Button,
  queryGuestButton,
} from '../__testUtils__/signInButtons';
import { auth0AuthApiRef } from '../api/auth0AuthApiRef';
import {
  AUTH0_DOWN_MESSAGE,
  aliceIdentity,
  auth0DownAnswer,
  authBackend,
  fakeAuth0Api,
  namedError,
  refusedAnswer,
  sessionAnswer,
} from '../testUtils';
import { Auth0SignInPage } from './Auth0SignInPage';

function configFor(environment?: string) {
  return {
    app: { title: 'Example Portal', baseUrl: 'http://localhost:3000' },
    backend: { baseUrl: 'http://localhost:7007' },
    ...(environment && { auth: { environment } }),
  };
}

async function renderSignInPage(options: {
  environment?: string;
  api: ReturnType<typeof fakeAuth0Api>;
}) {
  const onSignInSuccess = jest.fn<void, [IdentityApi]>();
  const rendered = await renderInTestApp(
    <Auth0SignInPage onSignInSuccess={onSignInSuccess} />,
    {
      config: configFor(options.environment),
      apis: [[auth0AuthApiRef, options.api]],
    },
  );
  // The page first resumes any existing session; wait until that has settled.
  await waitFor(() =>
    expect(
      onSignInSuccess.mock.calls.length > 0 || !screen.queryByRole('status'),
    ).toBe(true),
  );
  return { onSignInSuccess, unmount: rendered.unmount };
}

/** The production page, after "Sign in with Auth0" failed with `popup`: the alert it shows. */
async function failedAuth0SignIn(popup: Error) {
  await renderSignInPage({
    environment: 'production',
    api: fakeAuth0Api({ popup }),
  });
  await userEvent.click(await findAuth0Button());
  return screen.findByRole('alert');
}

afterEach(() => {
  localStorage.clear();
  jest.restoreAllMocks();
});

describe('Auth0SignInPage (new frontend system)', () => {
  describe('which sign-in methods it offers', () => {
    it('offers Auth0 and guest when auth.environment is development', async () => {
      await renderSignInPage({
        environment: 'development',
        api: fakeAuth0Api({}),
      });

      expect(await findAuth0Button()).toBeInTheDocument();
      expect(queryGuestButton()).toBeInTheDocument();
      expect(
        screen.getByRole('heading', { name: 'Example Portal' }),
      ).toBeInTheDocument();
    });

    it('offers only Auth0 when auth.environment is production', async () => {
      await renderSignInPage({
        environment: 'production',
        api: fakeAuth0Api({}),
      });

      expect(await findAuth0Button()).toBeInTheDocument();
      expect(queryGuestButton()).not.toBeInTheDocument();
      expect(screen.queryByText(/guest/i)).not.toBeInTheDocument();
    });

    it('offers only Auth0 when auth.environment is not set', async () => {
      await renderSignInPage({ api: fakeAuth0Api({}) });

      expect(await findAuth0Button()).toBeInTheDocument();
      expect(queryGuestButton()).not.toBeInTheDocument();
    });
  });

  describe('automatic sign-in', () => {
    it('takes an existing session without a popup or a click', async () => {
      const api = fakeAuth0Api({ existingSession: true });
      const { onSignInSuccess } = await renderSignInPage({
        environment: 'production',
        api,
      });

      await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
      expect(api.requests).toEqual([{ optional: true }]);
      expect(queryAuth0Button()).not.toBeInTheDocument();

      const identity = onSignInSuccess.mock.calls[0][0];
      await expect(identity.getBackstageIdentity()).resolves.toEqual(
        aliceIdentity.identity,
      );
      await expect(identity.getProfileInfo()).resolves.toMatchObject({
        email: 'alice@example.com',
      });
    });

    it('shows the page when there is no session, having asked silently only', async () => {
      const api = fakeAuth0Api({});
      const { onSignInSuccess } = await renderSignInPage({
        environment: 'production',
        api,
      });

      expect(await findAuth0Button()).toBeInTheDocument();
      expect(api.requests).toEqual([{ optional: true }]);
      expect(onSignInSuccess).not.toHaveBeenCalled();
    });
  });

  describe('signing in with Auth0', () => {
    it('opens the popup at once and signs in as the catalog user', async () => {
      const api = fakeAuth0Api({ popup: 'signs-in' });
      const { onSignInSuccess } = await renderSignInPage({
        environment: 'production',
        api,
      });

      await userEvent.click(await findAuth0Button());

      await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
      expect(api.requests).toEqual([
        { optional: true },
        { instantPopup: true },
      ]);
      const identity = onSignInSuccess.mock.calls[0][0];
      await expect(identity.getCredentials()).resolves.toEqual({
        token: 'alice-backstage-token',
      });
      await identity.signOut();
      expect(api.signOut).toHaveBeenCalledTimes(1);
    });

    it.each([
      [
        'CatalogUserNotFoundError',
        'No Backstage user has the email chris@example.com. Ask the platform team to add a User entity with spec.profile.email: chris@example.com to the catalog, then sign in again.',
        'Your account has no Backstage user yet',
        /You can sign in once a User entity with that email is in the catalog/,
      ],
      [
        'EmailNotVerifiedError',
        'The email chris@example.com is not verified in Auth0. Open the verification email Auth0 sent you (or ask for a new one), then sign in again.',
        'Your email is not verified in Auth0',
        /follow its link, then click "Sign in with Auth0" again/,
      ],
      [
        'EmailDomainNotAllowedError',
        'Sign-in with chris@gmail.com is not allowed: only @example.com addresses can sign in. Sign in with your work account.',
        'This email cannot sign in here',
        /sign in from a private window/,
      ],
      [
        'AmbiguousCatalogUserError',
        'More than one Backstage user has the email chris@example.com, so sign-in cannot tell which one you are.',
        'More than one Backstage user has your email',
        /Send this message to the platform team/,
      ],
      [
        'OrganizationMismatchError',
        'You signed in through the Auth0 organization org_other, but this Backstage accepts only members of org_example. Sign in again and choose org_example when Auth0 asks; if you are not a member, ask the platform team to invite you.',
        'You signed in through another Auth0 organization',
        /choose the organization named above when Auth0 asks\. If Auth0 does not ask, sign in from a private window/,
      ],
      [
        'CatalogUserEmailMismatchError',
        'The Backstage user named after chris@example.com has another email in the catalog (chris.house@example.com), so signing in as that user could mean signing in as someone else. Ask the platform team to give your User entity spec.profile.email: chris@example.com, then sign in again.',
        'Your Backstage user has another email',
        /Send this message to the platform team: the User entity named after you must have the email you signed in with/,
      ],
      [
        'MissingEmailError',
        'Auth0 did not return an email for your account, so Backstage cannot find your user.',
        'Auth0 sent no email for your account',
        /Send this message to the platform team/,
      ],
      [
        'Auth0RefusedError',
        'Auth0 refused the sign-in: User cancelled the login (access_denied). Try again; if it keeps happening, tell the platform team this message.',
        'Auth0 refused the sign-in',
        /If you cancelled, click "Sign in with Auth0" to start again/,
      ],
      [
        'Auth0UnavailableError',
        'Auth0 is unreachable or failing (timeout after 10s). Wait a minute and try again.',
        'Auth0 cannot be reached',
        /Wait a minute and click "Sign in with Auth0" again/,
      ],
      [
        'InvalidIdTokenError',
        "Auth0's ID token could not be verified (unexpected audience).",
        "Auth0's answer could not be verified",
        /This is a configuration problem, not your account/,
      ],
      [
        'InvalidSessionCookieError',
        'The session cookie is not one this Backstage issued, so the session cannot be refreshed. Sign in again.',
        'Your earlier sign-in could not be renewed',
        /Click "Sign in with Auth0" to sign in again/,
      ],
      [
        'SomethingNewError',
        'Something nobody planned for.',
        'Sign-in failed',
        /Click "Sign in with Auth0" to try again/,
      ],
    ])(
      'explains %s with the message and what to do next',
      async (name, message, title, advice) => {
        const alert = await failedAuth0SignIn(namedError(name, message));

        expect(alert).toHaveTextContent(title);
        expect(alert).toHaveTextContent(message);
        expect(alert).toHaveTextContent(advice);
        expect(alert).toHaveTextContent('What to do next:');
        expect(await findAuth0Button()).toBeEnabled();
      },
    );

    it('explains a blocked popup', async () => {
      const alert = await failedAuth0SignIn(
        namedError('PopupRejectedError', 'Failed to open auth popup.'),
      );

      expect(alert).toHaveTextContent(
        'Your browser blocked the sign-in window',
      );
      expect(alert).toHaveTextContent(/Allow pop-ups for this site/);
    });

    it('explains a popup closed before sign-in finished', async () => {
      const alert = await failedAuth0SignIn(
        namedError('PopupClosedError', 'Login failed, popup was closed'),
      );

      expect(alert).toHaveTextContent('The sign-in window was closed');
      expect(alert).toHaveTextContent(
        /finish in the window that opens; it closes by itself/,
      );
    });

    it('explains an app opened at another address than app.baseUrl', async () => {
      const alert = await failedAuth0SignIn(
        namedError(
          'PopupClosedError',
          'Login failed, Incorrect app origin, expected https://backstage.example.com',
        ),
      );

      expect(alert).toHaveTextContent(
        'Open Backstage at https://backstage.example.com and sign in there',
      );
    });
  });

  describe('signing in as guest (development)', () => {
    function answerGuestRefresh(response: Response) {
      return jest
        .spyOn(global, 'fetch')
        .mockImplementation(async () => response.clone());
    }

    it('signs in with a token from the guest provider and remembers the choice', async () => {
      const fetchMock = answerGuestRefresh(
        Response.json({
          profile: { displayName: 'Guest' },
          backstageIdentity: {
            token: 'guest-token',
            expiresInSeconds: 3600,
            identity: {
              type: 'user',
              userEntityRef: 'user:development/guest',
              ownershipEntityRefs: ['user:development/guest'],
            },
          },
        }),
      );
      const firstVisit = await renderSignInPage({
        environment: 'development',
        api: fakeAuth0Api({}),
      });
      const { onSignInSuccess } = firstVisit;

      await userEvent.click(await findGuestButton());

      await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
      expect(fetchMock).toHaveBeenCalledWith(
        'http://localhost:7007/api/auth/guest/refresh',
        expect.objectContaining({ credentials: 'include' }),
      );
      const identity = onSignInSuccess.mock.calls[0][0];
      await expect(identity.getCredentials()).resolves.toEqual({
        token: 'guest-token',
      });
      firstVisit.unmount();

      // A reload signs the guest in again, without a click.
      const reloaded = await renderSignInPage({
        environment: 'development',
        api: fakeAuth0Api({}),
      });
      await waitFor(() =>
        expect(reloaded.onSignInSuccess).toHaveBeenCalledTimes(1),
      );
      reloaded.unmount();

      // Signing out forgets the choice.
      await identity.signOut();
      const afterSignOut = await renderSignInPage({
        environment: 'development',
        api: fakeAuth0Api({}),
      });
      expect(await findGuestButton()).toBeInTheDocument();
      expect(afterSignOut.onSignInSuccess).not.toHaveBeenCalled();
    });

    it('explains a backend that has no guest provider', async () => {
      answerGuestRefresh(
        new Response('Not Found', { status: 404, statusText: 'Not Found' }),
      );
      await renderSignInPage({
        environment: 'development',
        api: fakeAuth0Api({}),
      });

      await userEvent.click(await findGuestButton());

      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent('Guest sign-in is not available');
      expect(alert).toHaveTextContent('404');
    });
  });

  describe('when Auth0 is unreachable at a reload (refresh answers 503)', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    /** The real API, against the answers given to `authBackend`. */
    async function renderWithRealApi() {
      const { auth } = createRealAuth0Auth({
        environment: 'production',
        random: () => 0,
      });
      const onSignInSuccess = jest.fn<void, [IdentityApi]>();
      await renderInTestApp(
        <Auth0SignInPage onSignInSuccess={onSignInSuccess} />,
        {
          config: configFor('production'),
          apis: [[auth0AuthApiRef, auth]],
        },
      );
      return { onSignInSuccess };
    }

    /** The page's status once it reports the outage (it first says it is checking). */
    const outage = () =>
      waitFor(() => {
        const status = screen.getByRole('status');
        expect(status).toHaveTextContent(/retrying/);
        return status;
      });

    it('says Auth0 is unreachable instead of offering sign-in, keeps retrying, and signs in by itself', async () => {
      const backend = authBackend(
        auth0DownAnswer(5),
        auth0DownAnswer(),
        sessionAnswer('token-2'),
      );
      const { onSignInSuccess } = await renderWithRealApi();

      const status = await outage();
      expect(status).toHaveTextContent('Auth0 is unreachable, retrying');
      expect(status).toHaveTextContent(
        'This page tries again by itself and opens Backstage as soon as it can; there is no need to reload.',
      );
      expect(status).toHaveTextContent(AUTH0_DOWN_MESSAGE);
      expect(
        screen.getByRole('heading', { name: 'Example Portal' }),
      ).toBeInTheDocument();
      expect(queryAuth0Button()).not.toBeInTheDocument();

      // Retry-After: 5. Auth0 is still down.
      await act(() => jest.advanceTimersByTimeAsync(5000));
      expect(backend.fetchMock).toHaveBeenCalledTimes(2);
      expect(await outage()).toHaveTextContent(
        'Auth0 is unreachable, retrying',
      );
      expect(onSignInSuccess).not.toHaveBeenCalled();

      // The next attempt, after the backoff, gets a session.
      await act(() => jest.advanceTimersByTimeAsync(2000));
      await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
      expect(backend.fetchMock).toHaveBeenCalledTimes(3);
      const identity = onSignInSuccess.mock.calls[0][0];
      await expect(identity.getCredentials()).resolves.toEqual({
        token: 'token-2',
      });
      expect(queryAuth0Button()).not.toBeInTheDocument();
    });

    it('offers sign-in when the retry finds the session refused (401)', async () => {
      authBackend(auth0DownAnswer(5), refusedAnswer(), refusedAnswer());
      const { onSignInSuccess } = await renderWithRealApi();
      expect(await outage()).toHaveTextContent(
        'Auth0 is unreachable, retrying',
      );

      await act(() => jest.advanceTimersByTimeAsync(5000));

      expect(await findAuth0Button()).toBeEnabled();
      expect(
        screen.queryByText('Auth0 is unreachable, retrying'),
      ).not.toBeInTheDocument();
      expect(screen.queryByRole('alert')).not.toBeInTheDocument();
      expect(onSignInSuccess).not.toHaveBeenCalled();
    });

    it("names Backstage's sign-in service when the backend itself does not answer", async () => {
      authBackend(new TypeError('Failed to fetch'));
      await renderWithRealApi();

      const status = await outage();
      expect(status).toHaveTextContent(
        "Backstage's sign-in service is not answering, retrying",
      );
      expect(status).toHaveTextContent(
        'The auth backend could not be reached (TypeError: Failed to fetch).',
      );
    });
  });
});
