#!/usr/bin/env bash
# Validates both configurations against the schemas of every installed package
# (including each package's config.d.ts), failing on any warning.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "config:check: development (app-config.yaml)"
yarn backstage-cli config:check --strict --config app-config.yaml

echo "config:check: production (app-config.yaml + app-config.production.yaml, sample values)"
APP_BASE_URL=https://backstage.example.com \
  BACKEND_SECRET=sample-backend-secret-of-at-least-32-chars \
  POSTGRES_HOST=postgres.example.internal \
  POSTGRES_PORT=5432 \
  POSTGRES_USER=backstage \
  POSTGRES_PASSWORD=sample-password \
  GITHUB_TOKEN=sample-github-token \
  CATALOG_ORG_URL=https://github.com/example/org/blob/main/org.yaml \
  yarn backstage-cli config:check --strict --config app-config.yaml --config app-config.production.yaml
