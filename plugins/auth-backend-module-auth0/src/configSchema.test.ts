import { loadConfigSchema } from '@backstage/config-loader';

describe('config.d.ts', () => {
  it('sends domain and client id to the frontend, and never the client secret', async () => {
    const schema = await loadConfigSchema({
      dependencies: ['@backstage-auth0/plugin-auth-backend-module-auth0'],
    });
    const [frontendConfig] = schema.process(
      [
        {
          context: 'test',
          data: {
            app: { baseUrl: 'http://localhost:3000' },
            backend: {
              baseUrl: 'http://localhost:7007',
              listen: { port: 7007 },
            },
            auth: {
              providers: {
                auth0: {
                  production: {
                    domain: 'tenant.example.com',
                    clientId: 'client-id',
                    clientSecret: 'client-secret',
                    signIn: { resolvers: [{ resolver: 'x' }] },
                  },
                },
              },
            },
          },
        },
      ],
      { visibility: ['frontend'] },
    );
    expect(frontendConfig.data).toMatchObject({
      auth: {
        providers: {
          auth0: {
            production: { domain: 'tenant.example.com', clientId: 'client-id' },
          },
        },
      },
    });
    expect(JSON.stringify(frontendConfig.data)).not.toContain('client-secret');
  });
});
