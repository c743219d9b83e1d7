#!/usr/bin/env bash
# `yarn test`: every check and test this repo has, in the order that fails fastest.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "type check (yarn tsc)"
yarn tsc
step "type check of deploy/ (yarn tsc -p deploy)"
yarn tsc -p deploy
step "lint (yarn lint:all)"
yarn lint:all
step "formatting (yarn prettier:check)"
yarn prettier:check
step "configuration (yarn config:check)"
yarn config:check
step "services (PostgreSQL, Redis)"
bash scripts/ensure-services.sh
step "local Auth0 stand-in (yarn workspace auth0-dev-server test)"
yarn workspace auth0-dev-server test
step "deployment: manifests, secret chain, Dockerfile (yarn workspace deploy test)"
yarn workspace deploy test
step "unit and integration tests (yarn test:unit)"
yarn test:unit
step "browser tests (yarn e2e)"
bash scripts/ensure-chromium.sh
yarn e2e
