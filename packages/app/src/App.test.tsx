import { render, screen } from '@testing-library/react';
import App from './App';
import { discoverFeaturesAsTheBundlerDoes } from './testDiscovery';
import { setTestConfig } from './testConfig';

describe('App in development', () => {
  let discovered: string[];

  beforeAll(() => {
    discovered = discoverFeaturesAsTheBundlerDoes();
  });

  beforeEach(() => {
    // No session to resume: the auth backend refuses the silent refresh.
    jest
      .spyOn(global, 'fetch')
      .mockResolvedValue(
        new Response('', { status: 401, statusText: 'Unauthorized' }),
      );
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('gets Auth0 sign-in and the Account tab from its dependencies, not from App.tsx', () => {
    expect(discovered).toEqual(
      expect.arrayContaining([
        '@backstage-auth0/plugin-app-module-auth0',
        '@backstage-auth0/plugin-user-settings-module-auth0',
        '@backstage/plugin-user-settings',
      ]),
    );
  });

  it('starts at the Auth0 sign-in page, with guest sign-in', async () => {
    setTestConfig({ authEnvironment: 'development' });

    render(App.createRoot());

    expect(
      await screen.findByRole(
        'button',
        { name: 'Sign in with Auth0' },
        // The whole app first loads every discovered plugin.
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Enter as guest' }),
    ).toBeInTheDocument();
  });
});
