#!/usr/bin/env bash
# `yarn test`: every check and test this repo has, in the order that fails fastest.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "type check (yarn tsc)"
yarn tsc
step "API reports of the shipped packages are current (yarn build:api-reports:only --ci)"
yarn build:api-reports:only --ci
step "knip reports are current (yarn build:knip-reports --ci)"
yarn build:knip-reports --ci
step "lint (yarn lint:all)"
yarn lint:all
step "formatting (yarn prettier:check)"
yarn prettier:check
step "configuration (yarn config:check)"
yarn config:check
step "services (PostgreSQL, Redis)"
bash scripts/ensure-services.sh
step "local Auth0 dev server (yarn workspace @internal/auth0-dev-server test)"
yarn workspace @internal/auth0-dev-server test
step "deployment: manifests, secret chain, Dockerfile (yarn workspace @internal/deploy-checks test)"
yarn workspace @internal/deploy-checks test
step "HAProxy for the replica tests (scripts/ensure-haproxy.sh)"
bash scripts/ensure-haproxy.sh
step "unit and integration tests (yarn test:unit)"
yarn test:unit
step "browser tests (yarn e2e)"
bash scripts/ensure-chromium.sh
yarn e2e
