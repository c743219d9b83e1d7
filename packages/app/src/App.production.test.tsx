import { render, screen } from '@testing-library/react';
import App from './App';
import { discoverFeaturesAsTheBundlerDoes } from './testDiscovery';
import { setTestConfig } from './testConfig';

// A file of its own: the app reads its config once per module instance.
describe('App in production', () => {
  beforeAll(() => {
    discoverFeaturesAsTheBundlerDoes();
  });

  beforeEach(() => {
    jest
      .spyOn(global, 'fetch')
      .mockResolvedValue(
        new Response('', { status: 401, statusText: 'Unauthorized' }),
      );
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('starts at the Auth0 sign-in page, without guest sign-in', async () => {
    setTestConfig({ authEnvironment: 'production' });

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
      screen.queryByRole('button', { name: 'Enter as guest' }),
    ).not.toBeInTheDocument();
  });
});
