import { Auth0OrgProviderConfig } from '@backstage-auth0/plugin-catalog-backend-module-auth0';
import { Config } from '@backstage/config';
import { ChosenCatalogProvider, checkApplication } from './applicationChecks';
import { checkCatalogCoverage } from './catalogCoverage';
import { CheckResult, CHECKS, skipAll } from './checks';
import { checkCatalogProviderConfig, checkSignInConfig } from './configChecks';
import { LocalCatalog } from './localCatalog';
import { checkTenant } from './tenantChecks';

export type DoctorOptions = {
  /** The config the backend reads. */
  config: Config;
  /** Reaches the tenant and the backend; global `fetch` unless given (a test's CA, a proxy). */
  fetch?: typeof fetch;
  /** Where the backend is, if not at `backend.baseUrl` (from inside its pod: http://localhost:7007). */
  backendUrl?: string;
  /** The block of `catalog.providers.auth0` whose Management API credentials to use. */
  catalogProvider?: string;
  /** Told what a slow step is doing. */
  progress?: (message: string) => void;
};

/** Every check, in order: config, tenant, the application's settings, catalog coverage. */
export async function runDoctor(
  options: DoctorOptions,
): Promise<CheckResult[]> {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const progress = options.progress ?? (() => {});
  const catalog = new LocalCatalog();
  const results: CheckResult[] = [];

  const signIn = checkSignInConfig(options.config, catalog);
  results.push(signIn.result);
  const catalogProviders = checkCatalogProviderConfig(options.config);
  if (catalogProviders.result) results.push(catalogProviders.result);
  if (!signIn.settings) {
    results.push(
      ...skipAll(
        Object.values(CHECKS).filter(
          check =>
            check !== CHECKS.config && check !== CHECKS.catalogProviderConfig,
        ),
        'the Auth0 provider config has problems',
        'fix config first',
      ),
    );
    return results;
  }
  const { settings } = signIn.settings.context;

  progress(`checking the tenant ${settings.domain}`);
  const tenant = await checkTenant({
    domain: settings.domain,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    keyPrefix: signIn.settings.keyPrefix,
    fetch: fetchImpl,
  });
  results.push(...tenant.results);

  const catalogProvider = chooseCatalogProvider(
    catalogProviders.providers,
    settings.domain,
    options.catalogProvider,
    catalogProviders.result !== undefined,
  );
  progress('reading the application with the Management API');
  const application = await checkApplication({
    catalogProvider,
    signIn: signIn.settings,
    probe: tenant.probe,
    fetch: fetchImpl,
  });
  results.push(...application.results);

  results.push(
    await checkCatalogCoverage({
      config: options.config,
      backendUrl: options.backendUrl,
      api: application.api,
      noApi:
        'missing' in catalogProvider
          ? catalogProvider.missing
          : {
              message: 'the Management API could not be used',
              fix: 'fix management-api first',
            },
      managementClientId:
        'provider' in catalogProvider
          ? catalogProvider.provider.clientId
          : undefined,
      signIn: signIn.settings,
      catalog,
      fetch: fetchImpl,
      progress,
    }),
  );
  return results;
}

/**
 * The catalog provider whose Machine to Machine application reads the tenant: the one named,
 * else the one on the sign-in domain, else the only one (its domain may be the tenant's own
 * while sign-in uses a custom domain); otherwise why there is none.
 */
function chooseCatalogProvider(
  providers: Auth0OrgProviderConfig[],
  domain: string,
  wanted: string | undefined,
  configured: boolean,
): ChosenCatalogProvider {
  const ids = providers.map(provider => provider.id).join(', ');
  if (wanted) {
    const provider = providers.find(candidate => candidate.id === wanted);
    return provider
      ? { provider }
      : {
          missing: {
            message: `there is no catalog.providers.auth0.${wanted}${
              ids ? ` (there are ${ids})` : ''
            }`,
            fix: 'name one of them with --catalog-provider',
          },
        };
  }
  const provider =
    providers.find(candidate => candidate.domain === domain) ??
    (providers.length === 1 ? providers[0] : undefined);
  if (provider) {
    return { provider };
  }
  if (providers.length > 1) {
    return {
      missing: {
        message: `none of catalog.providers.auth0 (${ids}) reads ${domain}`,
        fix: 'name the one for this tenant with --catalog-provider',
      },
    };
  }
  return {
    missing: configured
      ? {
          message: 'catalog.providers.auth0 has problems',
          fix: 'fix catalog-provider-config first',
        }
      : {
          message:
            'no Management API credentials: the doctor uses those of the Auth0 catalog provider, and catalog.providers.auth0 is not configured',
          fix: 'configure it (docs/catalog-from-auth0.md) with a Machine to Machine application that also has read:clients',
        },
  };
}
