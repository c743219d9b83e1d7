import { isAuth0SignInErrorName } from './errorNames';

describe('isAuth0SignInErrorName', () => {
  it('knows the names the backend sends and nothing else', () => {
    expect(isAuth0SignInErrorName('OrganizationMismatchError')).toBe(true);
    expect(isAuth0SignInErrorName('NotFoundError')).toBe(false);
    expect(isAuth0SignInErrorName(undefined)).toBe(false);
  });
});
