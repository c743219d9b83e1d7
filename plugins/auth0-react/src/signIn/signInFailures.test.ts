import { AUTH0_SIGN_IN_ERROR_NAMES } from '@backstage-auth0/plugin-auth0-common';
import { namedError } from '../testUtils/fakeAuth0Api';
import { describeSignInFailure } from './signInFailures';

describe('describeSignInFailure', () => {
  it.each(AUTH0_SIGN_IN_ERROR_NAMES)(
    'has advice of its own for %s, which the backend sends',
    name => {
      const failure = describeSignInFailure(
        namedError(name, 'The message from the backend.'),
      );

      expect(failure.title).not.toBe('Sign-in failed');
      expect(failure.message).toBe('The message from the backend.');
    },
  );

  it("treats a name it does not know, even one of Object's own, as an unexpected failure", () => {
    expect(
      describeSignInFailure(namedError('toString', 'Not a known name.')),
    ).toMatchObject({ title: 'Sign-in failed', message: 'Not a known name.' });
  });
});
