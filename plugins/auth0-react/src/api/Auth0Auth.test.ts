import { createRealAuth0Auth } from '../__testUtils__/realAuth0Auth';
import { describeSignInFailure } from '../signIn/signInFailures';
import { authBackend, sessionAnswer } from '../testUtils/authBackend';

const AUTH_URL = 'http://localhost:7007/api/auth';

const createAuth0Auth = (environment?: string) =>
  createRealAuth0Auth({ environment });

const answer = (...responses: Response[]) =>
  authBackend(...responses).fetchMock;

afterEach(() => {
  jest.restoreAllMocks();
});

describe('Auth0Auth', () => {
  it('resumes a session silently from the environment in auth.environment, with the offline_access scope', async () => {
    const fetchMock = answer(sessionAnswer('backstage-token'));
    const { auth } = createAuth0Auth('production');

    const response = await auth.getBackstageIdentity({ optional: true });

    expect(response?.identity.userEntityRef).toBe('user:default/alice');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    const requested = new URL(String(url));
    expect(`${requested.origin}${requested.pathname}`).toBe(
      `${AUTH_URL}/auth0/refresh`,
    );
    expect(requested.searchParams.get('env')).toBe('production');
    expect(requested.searchParams.get('scope')).toBe(
      'openid profile email offline_access',
    );
    expect(init).toMatchObject({ credentials: 'include' });
  });

  it('uses the development environment when auth.environment is not set, like the backend', async () => {
    const fetchMock = answer(sessionAnswer('backstage-token'));
    const { auth } = createAuth0Auth();

    await auth.getBackstageIdentity({ optional: true });

    expect(
      new URL(String(fetchMock.mock.calls[0][0])).searchParams.get('env'),
    ).toBe('development');
  });

  it('finds no session, without a popup, when the refresh is refused', async () => {
    answer(new Response('', { status: 401, statusText: 'Unauthorized' }));
    const open = jest.spyOn(window, 'open');
    const { auth } = createAuth0Auth('production');

    await expect(
      auth.getBackstageIdentity({ optional: true }),
    ).resolves.toBeUndefined();
    expect(open).not.toHaveBeenCalled();
  });

  describe('sign-out', () => {
    it("ends the Backstage session, then sends the browser to Auth0's logout", async () => {
      const logoutUrl =
        'https://tenant.example.com/v2/logout?client_id=abc&returnTo=http%3A%2F%2Flocalhost%3A3000';
      const fetchMock = answer(Response.json({ logoutUrl }));
      const { auth, navigate } = createAuth0Auth('production');

      const signOut = auth.signOut();
      await new Promise(resolve => setTimeout(resolve, 0));

      expect(fetchMock).toHaveBeenCalledTimes(1);
      expect(fetchMock).toHaveBeenCalledWith(
        `${AUTH_URL}/auth0/logout?env=production`,
        expect.objectContaining({
          method: 'POST',
          credentials: 'include',
          headers: { 'x-requested-with': 'XMLHttpRequest' },
        }),
      );
      expect(navigate).toHaveBeenCalledWith(logoutUrl);
      // Still pending, so that nothing navigates elsewhere before Auth0's logout loads.
      await expect(
        Promise.race([
          signOut.then(() => 'settled'),
          Promise.resolve('pending'),
        ]),
      ).resolves.toBe('pending');
    });

    it('only forgets the session when the backend gives no Auth0 logout URL', async () => {
      const fetchMock = answer(new Response(null), new Response(null));
      const { auth, navigate } = createAuth0Auth('production');

      await auth.signOut();

      expect(navigate).not.toHaveBeenCalled();
      expect(fetchMock.mock.calls[0][0]).toBe(
        `${AUTH_URL}/auth0/logout?env=production`,
      );
    });

    it('does not follow a logout URL that is neither https nor localhost', async () => {
      answer(
        Response.json({ logoutUrl: 'http://tenant.example.com/v2/logout' }),
        new Response(null),
      );
      const { auth, navigate } = createAuth0Auth('production');

      await auth.signOut();

      expect(navigate).not.toHaveBeenCalled();
    });

    it('fails with the URL and status when the backend refuses', async () => {
      answer(
        new Response('', { status: 500, statusText: 'Internal Server Error' }),
      );
      const { auth, navigate } = createAuth0Auth('production');

      await expect(auth.signOut()).rejects.toThrow(
        `Sign-out failed: ${AUTH_URL}/auth0/logout?env=production answered 500 Internal Server Error`,
      );
      expect(navigate).not.toHaveBeenCalled();
    });
  });

  // The sign-in page tells these apart by the names Backstage's popup helper gives them.
  describe('popup failures, as core-app-api reports them', () => {
    it('a popup the browser blocked', async () => {
      answer(new Response('', { status: 401, statusText: 'Unauthorized' }));
      jest.spyOn(window, 'open').mockReturnValue(null);
      const { auth } = createAuth0Auth('production');

      const error = await auth
        .getBackstageIdentity({ instantPopup: true })
        .catch(e => e);

      expect(error.name).toBe('PopupRejectedError');
      expect(describeSignInFailure(error).title).toBe(
        'Your browser blocked the sign-in window',
      );
    });

    it('a popup closed before sign-in finished', async () => {
      answer(new Response('', { status: 401, statusText: 'Unauthorized' }));
      const popup = { closed: false } as Window;
      const open = jest.spyOn(window, 'open').mockReturnValue(popup);
      const { auth } = createAuth0Auth('production');

      const attempt = auth.getBackstageIdentity({ instantPopup: true });
      await new Promise(resolve => setTimeout(resolve, 0));
      expect(open).toHaveBeenCalledTimes(1);
      const popupUrl = new URL(String(open.mock.calls[0][0]));
      expect(`${popupUrl.origin}${popupUrl.pathname}`).toBe(
        `${AUTH_URL}/auth0/start`,
      );
      expect(popupUrl.searchParams.get('env')).toBe('production');
      expect(popupUrl.searchParams.get('scope')).toBe(
        'openid profile email offline_access',
      );
      (popup as { closed: boolean }).closed = true;
      const error = await attempt.catch(e => e);

      expect(error.name).toBe('PopupClosedError');
      expect(error.message).toBe('Login failed, popup was closed');
      expect(describeSignInFailure(error).title).toBe(
        'The sign-in window was closed',
      );
    });
  });
});
