import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createApp } from '@backstage/app-defaults';
import { AppRouter } from '@backstage/core-app-api';
import {
  AnyApiFactory,
  configApiRef,
  createApiFactory,
  discoveryApiRef,
  IdentityApi,
} from '@backstage/frontend-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  findAuth0Button,
  queryGuestButton,
} from './__testUtils__/signInButtons';
import { auth0AuthApiFactory } from './api/auth0AuthApiFactory';
import { auth0AuthApiRef } from './api/auth0AuthApiRef';
import { Auth0OutageNotice } from './outage/Auth0OutageNotice';
import { Auth0SignInPage } from './signIn/Auth0SignInPage';
import { auth0Unreachable, fakeAuth0Api } from './testUtils/fakeAuth0Api';

const configData = (environment: string) => ({
  app: { title: 'Example Portal', baseUrl: 'http://localhost' },
  backend: { baseUrl: 'http://localhost:7007' },
  auth: { environment },
});

afterEach(() => {
  localStorage.clear();
  jest.restoreAllMocks();
});

describe('legacy frontend system', () => {
  describe('Auth0SignInPage in a legacy test app', () => {
    async function renderLegacySignInPage(
      environment: string,
      api: ReturnType<typeof fakeAuth0Api>,
    ) {
      const onSignInSuccess = jest.fn<void, [IdentityApi]>();
      await renderInTestApp(
        <TestApiProvider
          apis={[
            [configApiRef, mockApis.config({ data: configData(environment) })],
            [discoveryApiRef, mockApis.discovery()],
            [auth0AuthApiRef, api],
          ]}
        >
          <Auth0SignInPage onSignInSuccess={onSignInSuccess} />
        </TestApiProvider>,
      );
      return { onSignInSuccess };
    }

    it('offers Auth0 and guest in development', async () => {
      await renderLegacySignInPage('development', fakeAuth0Api({}));

      expect(await findAuth0Button()).toBeInTheDocument();
      expect(queryGuestButton()).toBeInTheDocument();
    });

    it('offers only Auth0 in production', async () => {
      await renderLegacySignInPage('production', fakeAuth0Api({}));

      expect(await findAuth0Button()).toBeInTheDocument();
      expect(queryGuestButton()).not.toBeInTheDocument();
    });

    it('signs in automatically when a session exists', async () => {
      const api = fakeAuth0Api({ existingSession: true });
      const { onSignInSuccess } = await renderLegacySignInPage(
        'production',
        api,
      );

      await waitFor(() => expect(onSignInSuccess).toHaveBeenCalledTimes(1));
      expect(api.requests).toEqual([{ optional: true }]);
    });
  });

  describe('createApp from @backstage/app-defaults', () => {
    function renderLegacyApp(environment: string, apis: AnyApiFactory[]) {
      const app = createApp({
        apis,
        components: { SignInPage: Auth0SignInPage },
        configLoader: async () => [
          { context: 'test', data: configData(environment) },
        ],
      });
      const AppRoot = app.createRoot(
        <>
          <Auth0OutageNotice />
          <AppRouter>
            <p>The catalog</p>
          </AppRouter>
        </>,
      );
      return render(<AppRoot />);
    }

    it('renders the Auth0 sign-in page and signs in', async () => {
      renderLegacyApp('production', [
        createApiFactory(auth0AuthApiRef, fakeAuth0Api({ popup: 'signs-in' })),
      ]);

      const signIn = await findAuth0Button();
      expect(screen.queryByText('The catalog')).not.toBeInTheDocument();

      await userEvent.click(signIn);

      expect(await screen.findByText('The catalog')).toBeInTheDocument();
    });

    it('opens the app directly when a session exists', async () => {
      renderLegacyApp('production', [
        createApiFactory(
          auth0AuthApiRef,
          fakeAuth0Api({ existingSession: true }),
        ),
      ]);

      expect(await screen.findByText('The catalog')).toBeInTheDocument();
    });

    it('shows the outage notice placed at the app root while Auth0 is unreachable', async () => {
      const api = fakeAuth0Api({ existingSession: true });
      renderLegacyApp('production', [createApiFactory(auth0AuthApiRef, api)]);
      expect(await screen.findByText('The catalog')).toBeInTheDocument();
      expect(screen.queryByRole('status')).not.toBeInTheDocument();

      act(() => api.setAvailability(auth0Unreachable('kept')));

      expect(
        screen.getByRole('status', { name: 'Auth0 sign-in status' }),
      ).toHaveTextContent(
        'Auth0 is unreachable — you stay signed in; retrying',
      );
      expect(screen.getByText('The catalog')).toBeInTheDocument();

      act(() => api.setAvailability({ status: 'available' }));
      expect(screen.queryByRole('status')).not.toBeInTheDocument();
    });

    it('wires the real API with auth0AuthApiFactory', async () => {
      const fetchMock = jest
        .spyOn(global, 'fetch')
        .mockResolvedValue(
          new Response('', { status: 401, statusText: 'Unauthorized' }),
        );

      renderLegacyApp('production', [auth0AuthApiFactory]);

      expect(await findAuth0Button()).toBeInTheDocument();
      const refresh = new URL(String(fetchMock.mock.calls[0][0]));
      expect(refresh.pathname).toBe('/api/auth/auth0/refresh');
      expect(refresh.searchParams.get('env')).toBe('production');
    });
  });
});
