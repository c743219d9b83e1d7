import { useState } from 'react';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/frontend-test-utils';
import { createApp } from '@backstage/frontend-defaults';
import {
  ApiBlueprint,
  createApiFactory,
  createFrontendModule,
  createFrontendPlugin,
  FrontendFeature,
  identityApiRef,
  PageBlueprint,
  useApi,
} from '@backstage/frontend-plugin-api';
import { auth0AuthApiRef } from '@backstage-auth0/plugin-auth0-react';
import {
  auth0DownAnswer,
  auth0Unreachable,
  authBackend,
  fakeAuth0Api,
  sessionAnswer,
} from '@backstage-auth0/plugin-auth0-react/testUtils';
import { auth0AppModule } from './module';

/** The home page; its button makes a request with the signed-in person's Backstage token. */
function HomePage() {
  const identityApi = useApi(identityApiRef);
  const [token, setToken] = useState<string>();
  return (
    <>
      <p>The catalog</p>
      <button
        onClick={async () =>
          setToken((await identityApi.getCredentials()).token)
        }
      >
        Load entities
      </button>
      {token && <p>Loaded with {token}</p>}
    </>
  );
}

const homePlugin = createFrontendPlugin({
  pluginId: 'home',
  extensions: [
    PageBlueprint.make({
      params: { path: '/', loader: async () => <HomePage /> },
    }),
  ],
});

/** Replaces the module's real Auth0 API (same extension id, later module wins). */
function withFakeAuth0Api(api: ReturnType<typeof fakeAuth0Api>) {
  return createFrontendModule({
    pluginId: 'app',
    extensions: [
      ApiBlueprint.make({
        name: 'auth0',
        params: defineParams =>
          defineParams(createApiFactory(auth0AuthApiRef, api)),
      }),
    ],
  });
}

function renderApp(environment: string, features: FrontendFeature[]) {
  const app = createApp({
    features: [homePlugin, auth0AppModule, ...features],
    advanced: {
      configLoader: async () => ({
        config: mockApis.config({
          data: {
            app: { title: 'Example Portal', baseUrl: 'http://localhost' },
            backend: { baseUrl: 'http://localhost:7007' },
            auth: { environment },
          },
        }),
      }),
    },
  });
  return render(app.createRoot());
}

afterEach(() => {
  localStorage.clear();
  jest.useRealTimers();
  jest.restoreAllMocks();
  window.history.replaceState(null, '', '/');
});

const outageNotice = () =>
  screen.queryByRole('status', { name: 'Auth0 sign-in status' });

describe('auth0AppModule', () => {
  it('puts its sign-in page in front of the app; signing in with Auth0 opens the app', async () => {
    renderApp('development', [
      withFakeAuth0Api(fakeAuth0Api({ popup: 'signs-in' })),
    ]);

    const signIn = await screen.findByRole('button', {
      name: 'Sign in with Auth0',
    });
    expect(
      screen.getByRole('button', { name: 'Enter as guest' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('The catalog')).not.toBeInTheDocument();

    await userEvent.click(signIn);

    expect(await screen.findByText('The catalog')).toBeInTheDocument();
  });

  it('offers no guest in production', async () => {
    renderApp('production', [withFakeAuth0Api(fakeAuth0Api({}))]);

    expect(
      await screen.findByRole('button', { name: 'Sign in with Auth0' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Enter as guest' }),
    ).not.toBeInTheDocument();
  });

  it('opens the app directly when a session exists', async () => {
    renderApp('production', [
      withFakeAuth0Api(fakeAuth0Api({ existingSession: true })),
    ]);

    expect(await screen.findByText('The catalog')).toBeInTheDocument();
  });

  it("installs the real Auth0 API, which asks the backend's auth0 provider for the configured environment", async () => {
    const fetchMock = jest
      .spyOn(global, 'fetch')
      .mockResolvedValue(
        new Response('', { status: 401, statusText: 'Unauthorized' }),
      );

    renderApp('production', []);

    expect(
      await screen.findByRole('button', { name: 'Sign in with Auth0' }),
    ).toBeInTheDocument();
    const refresh = new URL(String(fetchMock.mock.calls[0][0]));
    expect(refresh.pathname).toBe('/api/auth/auth0/refresh');
    expect(refresh.searchParams.get('env')).toBe('production');
  });

  describe('while Auth0 is unreachable', () => {
    it('shows a notice over the app that the person stays signed in, until Auth0 is back', async () => {
      const api = fakeAuth0Api({ existingSession: true });
      renderApp('production', [withFakeAuth0Api(api)]);
      expect(await screen.findByText('The catalog')).toBeInTheDocument();
      expect(outageNotice()).not.toBeInTheDocument();

      act(() => api.setAvailability(auth0Unreachable('kept')));

      const notice = outageNotice();
      expect(notice).toHaveTextContent(
        'Auth0 is unreachable — you stay signed in; retrying',
      );
      expect(notice).toHaveTextContent(
        'Backstage could not renew your sign-in, so it keeps the current one and tries again by itself.',
      );
      expect(notice).toHaveTextContent(
        'Auth0 is unreachable or failing (timeout after 10s).',
      );
      expect(screen.getByText('The catalog')).toBeInTheDocument();

      act(() => api.setAvailability(auth0Unreachable('expired')));
      expect(outageNotice()).toHaveTextContent(
        'Your sign-in has expired meanwhile, so pages cannot load data until Backstage can renew it.',
      );

      act(() => api.setAvailability({ status: 'available' }));
      expect(outageNotice()).not.toBeInTheDocument();
      expect(screen.getByText('The catalog')).toBeInTheDocument();
    });

    it('keeps an open tab working on its current token, then renews it when Auth0 is back (real API)', async () => {
      jest.useFakeTimers();
      const user = userEvent.setup({
        advanceTimers: jest.advanceTimersByTime,
      });
      const backend = authBackend(
        // Signed in with a token that is due for renewal at the next request.
        sessionAnswer('token-1', 120),
        auth0DownAnswer(30),
        sessionAnswer('token-2'),
      );
      renderApp('production', []);
      expect(await screen.findByText('The catalog')).toBeInTheDocument();

      await user.click(screen.getByRole('button', { name: 'Load entities' }));

      expect(
        await screen.findByText('Loaded with token-1'),
      ).toBeInTheDocument();
      expect(outageNotice()).toHaveTextContent(
        'Auth0 is unreachable — you stay signed in; retrying',
      );
      expect(
        screen.queryByRole('button', { name: 'Sign in with Auth0' }),
      ).not.toBeInTheDocument();

      await act(() => jest.advanceTimersByTimeAsync(30_000));

      await waitFor(() => expect(outageNotice()).not.toBeInTheDocument());
      await user.click(screen.getByRole('button', { name: 'Load entities' }));
      expect(
        await screen.findByText('Loaded with token-2'),
      ).toBeInTheDocument();
      expect(backend.fetchMock).toHaveBeenCalledTimes(3);
    });

    it('after a reload, the sign-in page says so, and the app opens by itself when Auth0 is back (real API)', async () => {
      jest.useFakeTimers();
      authBackend(auth0DownAnswer(30), sessionAnswer('token-2'));
      renderApp('production', []);

      expect(
        await screen.findByText('Auth0 is unreachable, retrying'),
      ).toBeInTheDocument();
      // Not the sign-in choice as if signed out, and not the signed-in notice twice.
      expect(
        screen.queryByRole('button', { name: 'Sign in with Auth0' }),
      ).not.toBeInTheDocument();
      expect(outageNotice()).not.toBeInTheDocument();
      expect(screen.queryByText('The catalog')).not.toBeInTheDocument();

      await act(() => jest.advanceTimersByTimeAsync(30_000));

      expect(await screen.findByText('The catalog')).toBeInTheDocument();
      expect(
        screen.queryByText('Auth0 is unreachable, retrying'),
      ).not.toBeInTheDocument();
    });
  });
});
