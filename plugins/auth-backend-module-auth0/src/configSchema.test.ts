import { loadConfigSchema } from '@backstage/config-loader';

describe('config.d.ts', () => {
  it('sends none of the provider settings to the frontend, the client secret least of all', async () => {
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
    const sent = JSON.stringify(frontendConfig.data);
    expect(sent).not.toContain('tenant.example.com');
    expect(sent).not.toContain('client-id');
    expect(sent).not.toContain('client-secret');
  });
});
