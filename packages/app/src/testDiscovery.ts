import packageJson from '../package.json';

const FEATURE_ROLES = ['frontend-plugin', 'frontend-plugin-module'];

/**
 * Does in a test what the CLI's bundler does for `app.packages: all`: it puts every
 * dependency of this package whose role is a frontend plugin or module, with its default
 * export (and that of `./alpha` where the package has one), where `createApp` looks for
 * discovered features. Without it a test app would have only the features App.tsx imports.
 */
export function discoverFeaturesAsTheBundlerDoes() {
  const modules = Object.keys(packageJson.dependencies).flatMap(name => {
    const dependency = jest.requireActual(`${name}/package.json`);
    if (!FEATURE_ROLES.includes(dependency.backstage?.role)) {
      return [];
    }
    const entries = [{ name, default: jest.requireActual(name).default }];
    if (dependency.exports?.['./alpha']) {
      entries.push({
        name,
        default: jest.requireActual(`${name}/alpha`).default,
      });
    }
    return entries;
  });
  Object.assign(window, { '__@backstage/discovered__': { modules } });
  return modules.map(({ name }) => name);
}
