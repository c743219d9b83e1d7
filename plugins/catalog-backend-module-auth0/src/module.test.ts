import {
  createBackendModule,
  coreServices,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-node';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { Auth0OrgEntityProvider } from './Auth0OrgEntityProvider';
import { auth0OrgEntityProviderTransformsExtensionPoint } from './extensionPoint';
import { catalogModuleAuth0OrgEntityProvider } from './module';
import {
  Auth0GroupTransformer,
  Auth0UserTransformer,
  defaultAuth0UserTransformer,
} from './transformers';

const tenant = {
  domain: 'acme.eu.auth0.com',
  clientId: 'm2m-client',
  clientSecret: 'm2m-secret',
};

async function startWith(
  providers: object,
  ...features: ReturnType<typeof createBackendModule>[]
) {
  const added: EntityProvider[] = [];
  await startTestBackend({
    extensionPoints: [
      [
        catalogProcessingExtensionPoint,
        {
          addEntityProvider: (...providersToAdd: unknown[]) => {
            added.push(...(providersToAdd.flat() as EntityProvider[]));
          },
        },
      ],
    ],
    features: [
      catalogModuleAuth0OrgEntityProvider,
      ...features,
      mockServices.rootConfig.factory({
        data: { catalog: { providers: { auth0: providers } } },
      }),
    ],
  });
  return added;
}

function transformerModule(
  set: (extension: {
    setUserTransformer(t: Auth0UserTransformer): void;
    setGroupTransformer(
      t: Auth0GroupTransformer | Record<string, Auth0GroupTransformer>,
    ): void;
  }) => void,
  moduleId = 'auth0-transforms',
) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId,
    register(reg) {
      reg.registerInit({
        deps: {
          transforms: auth0OrgEntityProviderTransformsExtensionPoint,
          logger: coreServices.logger,
        },
        async init({ transforms }) {
          set(transforms);
        },
      });
    },
  });
}

afterEach(() => jest.restoreAllMocks());

describe('catalogModuleAuth0OrgEntityProvider', () => {
  it('adds one provider per tenant block', async () => {
    const added = await startWith({
      production: tenant,
      staging: { ...tenant, domain: 'acme-staging.eu.auth0.com' },
    });
    expect(added.map(provider => provider.getProviderName())).toEqual([
      'Auth0OrgEntityProvider:production',
      'Auth0OrgEntityProvider:staging',
    ]);
    expect(added[0]).toBeInstanceOf(Auth0OrgEntityProvider);
  });

  it('adds nothing without a block', async () => {
    expect(await startWith({})).toEqual([]);
  });

  it('passes on the transformers that another module sets through the extension point', async () => {
    const fromConfig = jest.spyOn(Auth0OrgEntityProvider, 'fromConfig');
    const userTransformer: Auth0UserTransformer = async (user, context) =>
      defaultAuth0UserTransformer(user, context);
    const groupTransformers = { production: async () => undefined };
    await startWith(
      { production: tenant },
      transformerModule(transforms => {
        transforms.setUserTransformer(userTransformer);
        transforms.setGroupTransformer(groupTransformers);
      }),
    );
    expect(fromConfig).toHaveBeenCalledWith(
      expect.anything(),
      expect.objectContaining({
        userTransformer,
        groupTransformer: groupTransformers,
        scheduler: expect.anything(),
        logger: expect.anything(),
      }),
    );
  });

  it('refuses a second user transformer', async () => {
    const transformer: Auth0UserTransformer = async () => undefined;
    await expect(
      startWith(
        { production: tenant },
        transformerModule(t => t.setUserTransformer(transformer), 'first'),
        transformerModule(t => t.setUserTransformer(transformer), 'second'),
      ),
    ).rejects.toThrow(
      'The Auth0 user transformer was set twice; one module may set it',
    );
  });

  it('refuses to start, listing every problem, when the configuration is wrong', async () => {
    await expect(
      startWith({
        production: { domain: 'https://acme.eu.auth0.com' },
      }),
    ).rejects.toThrow(
      /domain is "https:\/\/acme\.eu\.auth0\.com": give the host name only[\s\S]*clientId is missing[\s\S]*clientSecret is missing/,
    );
  });
});
