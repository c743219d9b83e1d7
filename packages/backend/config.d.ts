export interface Config {
  /** Settings of this repository's backend (packages/backend) that are no plugin's. */
  backstageAuth0?: {
    /**
     * The permission policy (packages/backend/src/permissionPolicy, docs/roles.md). It applies
     * while `permission.enabled` is true.
     */
    permissions?: {
      /**
       * Entity refs of Users, or of Groups whose members are admins, e.g.
       * `group:default/platform-team`: admins may do everything, such as unregistering any
       * entity and registering, changing or deleting catalog locations. Everyone else may read,
       * run templates and unregister only the entities they own. Group membership counts as
       * the person's Backstage token has it: what they were a member of when they signed in.
       * An entry that is not a User or Group ref stops the backend at startup.
       */
      admins?: string[];
    };
  };
}
