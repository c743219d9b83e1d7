import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { mockApis } from '@backstage/frontend-test-utils';
import { createApp } from '@backstage/frontend-defaults';
import {
  ApiBlueprint,
  createApiFactory,
  createFrontendModule,
  createFrontendPlugin,
  FrontendFeature,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import { auth0AuthApiRef } from './api/auth0AuthApiRef';
import { auth0AppModule } from './appModule';
import { fakeAuth0Api } from './testing/fakeAuth0Api';

const homePlugin = createFrontendPlugin({
  pluginId: 'home',
  extensions: [
    PageBlueprint.make({
      params: { path: '/', loader: async () => <p>The catalog</p> },
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
  jest.restoreAllMocks();
  window.history.replaceState(null, '', '/');
});

describe('auth0AppModule (new frontend system)', () => {
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

  it('adds an Account tab to the settings page showing who is signed in', async () => {
    window.history.replaceState(null, '', '/settings/account');
    renderApp('production', [
      userSettingsPlugin,
      withFakeAuth0Api(fakeAuth0Api({ existingSession: true })),
    ]);

    expect(await screen.findByText('Alice Example')).toBeInTheDocument();
    expect(screen.getByText('Signed in as')).toBeInTheDocument();
    expect(screen.getByText('alice@example.com')).toBeInTheDocument();
    expect(screen.getByRole('img', { name: 'Alice Example' })).toHaveAttribute(
      'src',
      'https://example.com/alice.png',
    );
    expect(screen.getByText('user:default/alice')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Groups' })).toHaveTextContent(
      'group:default/team-a',
    );
  });
});
