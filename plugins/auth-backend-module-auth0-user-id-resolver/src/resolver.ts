import { createSignInResolverFactory } from '@backstage/plugin-auth-node';
import type { Auth0SignInInfo } from '@backstage-auth0/plugin-auth-backend-module-auth0';
import { AUTH0_USER_ID_ANNOTATION } from '@backstage-auth0/plugin-auth0-common';
import { z } from 'zod/v3';

/**
 * Signs in the User entity whose annotation equals the Auth0 user id (`sub`). Unlike
 * email, the user id never changes and is never reused, so this resolver needs no
 * email checks. When no entity carries the id, the chain moves on to the next resolver.
 *
 * @public
 */
export const auth0UserIdMatchingUserEntityAnnotation =
  createSignInResolverFactory({
    optionsSchema: z
      .object({
        /** Another annotation to read the id from. */
        annotation: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    create(options) {
      const annotation = options?.annotation ?? AUTH0_USER_ID_ANNOTATION;
      return async (info: Auth0SignInInfo, ctx) =>
        ctx.signInWithCatalogUser({
          annotations: { [annotation]: info.result.fullProfile.sub },
        });
    },
  });
