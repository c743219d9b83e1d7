import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { auth0AppModule } from '@backstage-auth0/plugin-auth0-react';
import { navModule } from './modules/nav';

export default createApp({
  features: [catalogPlugin, navModule, auth0AppModule],
});
