#!/usr/bin/env bash
# The replica tests and `yarn bench` put Debian's HAProxy in front of the backend replicas
# (packages/replica-tests/src/haproxy.ts starts its own processes; the package's service, where
# one starts, runs Debian's default config, which listens on no port).
exec bash "$(dirname "$0")/ensure-debian-package.sh" haproxy "${HAPROXY_PATH:-/usr/sbin/haproxy}" "replica tests" HAPROXY_PATH
