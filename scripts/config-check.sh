#!/usr/bin/env bash
# Validates both configurations against the schemas of every installed package
# (including each package's config.d.ts), failing on any warning.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "config:check: development (app-config.yaml, with the Auth0 values yarn dev fills in)"
AUTH_AUTH0_DOMAIN=localhost:7443 \
  AUTH_AUTH0_CLIENT_ID=backstage-local \
  AUTH_AUTH0_CLIENT_SECRET=sample-client-secret \
  AUTH_SESSION_SECRET=sample-session-secret \
  yarn backstage-cli config:check --strict --config app-config.yaml

echo "config:check: development with people from Auth0 (app-config.yaml + app-config.auth0-catalog.yaml, as yarn dev layers it)"
AUTH_AUTH0_DOMAIN=localhost:7443 \
  AUTH_AUTH0_CLIENT_ID=backstage-local \
  AUTH_AUTH0_CLIENT_SECRET=sample-client-secret \
  AUTH_SESSION_SECRET=sample-session-secret \
  AUTH0_MANAGEMENT_CLIENT_ID=backstage-catalog \
  AUTH0_MANAGEMENT_CLIENT_SECRET=sample-management-client-secret \
  yarn backstage-cli config:check --strict --config app-config.yaml --config app-config.auth0-catalog.yaml

echo "config:check: production, the image's command (app-config.yaml + app-config.production.yaml + app-config.auth0-catalog.production.yaml, sample values)"
APP_BASE_URL=https://backstage.example.com \
  BACKEND_SECRET=sample-backend-secret-of-at-least-32-chars \
  POSTGRES_HOST=postgres.example.internal \
  POSTGRES_PORT=5432 \
  POSTGRES_USER=backstage \
  POSTGRES_PASSWORD=sample-password \
  GITHUB_TOKEN=sample-github-token \
  AUTH_AUTH0_DOMAIN=tenant.example.com \
  AUTH_AUTH0_CLIENT_ID=sample-client-id \
  AUTH_AUTH0_CLIENT_SECRET=sample-client-secret \
  AUTH_SESSION_SECRET=sample-session-secret-of-at-least-32-chars \
  CATALOG_ORG_URL=https://github.com/example/org/blob/main/org.yaml \
  AUTH0_MANAGEMENT_CLIENT_ID=sample-management-client-id \
  AUTH0_MANAGEMENT_CLIENT_SECRET=sample-management-client-secret \
  yarn backstage-cli config:check --strict --config app-config.yaml --config app-config.production.yaml \
  --config app-config.auth0-catalog.production.yaml
