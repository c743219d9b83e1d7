import { mockApis } from '@backstage/frontend-test-utils';
import { Auth0Auth } from '../api/Auth0Auth';

/**
 * The real Auth0 API as this package's tests run it: against a backend at localhost:7007
 * (answered by `authBackend` or a fetch spy), with `auth.environment` set when given.
 */
export function createRealAuth0Auth(
  options: { environment?: string; random?: () => number } = {},
) {
  const { environment, random } = options;
  const navigate = jest.fn<void, [string]>();
  const oauthRequestApi = mockApis.oauthRequest();
  const auth = Auth0Auth.create({
    configApi: mockApis.config({
      data: environment ? { auth: { environment } } : {},
    }),
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    oauthRequestApi,
    navigate,
    random,
  });
  return { auth, navigate, oauthRequestApi };
}
