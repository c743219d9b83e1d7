export interface Config {
  catalog?: {
    providers?: {
      /** Auth0 users, roles and organizations as catalog Users and Groups, one block per tenant. */
      auth0?: {
        [providerId: string]: {
          /*
           * domain, clientId and clientSecret are required. The module checks them at startup,
           * with a message naming the key, rather than the schema, so that every problem of
           * every block is reported at once.
           */
          /** The tenant's domain, a host name without scheme or path, e.g. my-company.eu.auth0.com. */
          domain?: string;
          /**
           * The Client ID of a Machine to Machine application authorized for the Auth0 Management
           * API with the scopes read:users, read:roles, read:organizations and
           * read:organization_members (the last three only when the groups need them).
           */
          clientId?: string;
          /**
           * The Client Secret of that application.
           * @visibility secret
           */
          clientSecret?: string;
          /**
           * When to read the tenant; `{ frequency: { minutes: 30 }, timeout: { minutes: 15 } }`
           * unless given.
           */
          schedule?: import('@backstage/backend-plugin-api').SchedulerServiceTaskScheduleDefinitionConfig;
          users?: {
            /**
             * Only users whose primary identity is in one of these connections, by name, e.g.
             * Username-Password-Authentication. Every connection unless given.
             */
            connections?: string[];
            /** Also users whose email Auth0 has not verified (default false). Blocked users never. */
            includeUnverified?: boolean;
          };
          groups?: {
            /** One Group (spec.type role) per Auth0 role, with its users as members (default true). */
            fromRoles?: boolean;
            /**
             * One Group (spec.type organization) per Auth0 organization, with its members
             * (default true).
             */
            fromOrganizations?: boolean;
          };
        };
      };
    };
  };
}
