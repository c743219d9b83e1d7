import { render, screen } from '@testing-library/react';
import App from './App';
import { setTestConfig } from './testConfig';

describe('App in development', () => {
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

  it('starts at the Auth0 sign-in page, with guest sign-in', async () => {
    setTestConfig({ authEnvironment: 'development' });

    render(App.createRoot());

    expect(
      await screen.findByRole('button', { name: 'Sign in with Auth0' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Enter as guest' }),
    ).toBeInTheDocument();
  });
});
