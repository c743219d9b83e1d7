import packageJson from '../package.json';
import discovered from '.';

describe('@backstage-auth0/plugin-user-settings-module-auth0', () => {
  // What `app.packages: all` looks for in a dependency of packages/app.
  it('is discoverable: a frontend-plugin-module of the user-settings plugin, exported as the default', () => {
    expect(packageJson.backstage).toMatchObject({
      role: 'frontend-plugin-module',
      pluginId: 'user-settings',
    });
    expect(discovered).toMatchObject({
      $$type: '@backstage/FrontendModule',
      pluginId: 'user-settings',
    });
  });
});
