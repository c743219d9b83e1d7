import { createBackend } from '@backstage/backend-defaults';
import { featuresWithoutAuth0 } from './features';

const backend = createBackend();
for (const feature of featuresWithoutAuth0) {
  backend.add(feature);
}
backend.add(import('@backstage/plugin-auth-backend-module-auth0-provider'));
backend.start();
