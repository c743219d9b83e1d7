import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';
import { unregisterEntityWithReason } from './modules/catalog/unregisterEntity';

// Auth0 sign-in and the settings page's Account tab are not imported here: they are
// dependencies in package.json, and `app.packages: all` (app-config.yaml) discovers them.
export default createApp({
  features: [
    catalogPlugin.withOverrides({ extensions: [unregisterEntityWithReason] }),
    navModule,
  ],
});
