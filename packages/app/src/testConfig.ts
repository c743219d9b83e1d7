/** The config `App.createRoot()` loads in tests (it reads APP_CONFIG, as in a built app). */
export function setTestConfig(options: { authEnvironment: string }) {
  process.env = {
    NODE_ENV: 'test',
    APP_CONFIG: [
      {
        data: {
          app: { title: 'Test', packages: 'all' },
          backend: { baseUrl: 'http://localhost:7007' },
          auth: { environment: options.authEnvironment },
        },
        context: 'test',
      },
    ] as any,
  };
}
