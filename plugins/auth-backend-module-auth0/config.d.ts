export interface Config {
  auth?: {
    providers?: {
      /** Auth0 sign-in, one block per auth environment (`auth.environment`). */
      auth0?: {
        [authEnv: string]: {
          /*
           * clientId, clientSecret and domain are required for the active environment. The
           * module checks them at startup, with a message naming the variable to set, rather
           * than the schema, so that an unconfigured environment does not fail config:check.
           */
          /** The Client ID of the Auth0 application. Backend only: the frontend never reads it. */
          clientId?: string;
          /**
           * The Client Secret of the Auth0 application.
           * @visibility secret
           */
          clientSecret?: string;
          /**
           * The tenant's domain, a host name without scheme or path, e.g. my-company.eu.auth0.com.
           * Backend only: the frontend never reads it.
           */
          domain?: string;
          /** Overrides the callback URL, `<backend>/api/auth/auth0/handler/frame` by default. */
          callbackUrl?: string;
          /** The API identifier to request access tokens for. */
          audience?: string;
          /** Skips Auth0's login page and goes straight to this connection. */
          connection?: string;
          /** Extra scopes to request from the connection's identity provider. */
          connectionScope?: string;
          /**
           * The Auth0 organization to sign in to, as its id (`org_…`) or its name. Every ID token
           * must then carry it (`org_id`, or `org_name` compared ignoring case); any other
           * organization, or none, is refused with OrganizationMismatchError.
           */
          organization?: string;
          /** `login`, `consent`, `select_account` or `none`; `auto` (default) sends none. */
          prompt?: string;
          /** Also sign out of the identity provider behind Auth0 when signing out. */
          federatedLogout?: boolean;
          /**
           * How long the result of a refresh is handed to requests that still present the old
           * refresh token (another tab, another replica), e.g. `{ seconds: 10 }` (the default);
           * from 1 to 60 seconds.
           */
          refreshResultWindow?:
            | import('@backstage/types').HumanDuration
            | string;
          /** How long a Backstage session lasts, e.g. `{ hours: 24 }`. */
          sessionDuration?: import('@backstage/types').HumanDuration | string;
          signIn?: {
            /** Tried in order: the first match wins; "not found" moves on to the next. */
            resolvers: Array<{
              /** A built-in name or one added through the extension point. */
              resolver: string;
              /** Email domains allowed to sign in (required for the local-part resolver in production). */
              allowedDomains?: string[];
              /** Let emails that Auth0 has not verified sign in. */
              allowUnverifiedEmail?: boolean;
              /**
               * emailLocalPartMatchingUserEntityName only: sign in a User named after the local
               * part even when its spec.profile.email is another address.
               */
              allowEmailMismatch?: boolean;
              [option: string]: unknown;
            }>;
            /**
             * ID token claims whose values (a string or an array of strings) name Groups: each
             * value, normalised as the Auth0 catalog provider names role groups, adds that Group
             * to the token's ownership refs when the catalog has it. Re-read at every refresh.
             */
            groupClaims?: Array<{
              /** The claim, e.g. https://backstage.example.com/roles (set by an Auth0 Action). */
              claim: string;
              /** The namespace of the Groups; default unless given. */
              namespace?: string;
            }>;
            /**
             * How long a refresh may reuse the identity that a resolver found for the same Auth0
             * user (its entity ref and its ownership refs from the catalog) instead of asking the
             * catalog again, kept in Backstage's cache (`backend.cache`; Redis is shared by the
             * replicas). E.g. `{ seconds: 30 }` (the default); from 0 to 60 seconds; 0 turns the
             * cache off. A user deleted from the catalog, or a membership removed, counts within
             * this time; the claims of `groupClaims` count at every refresh. Sign-in always asks
             * the catalog.
             */
            identityCacheTtl?:
              | import('@backstage/types').HumanDuration
              | string
              | number;
          };
        };
      };
    };
  };
}
