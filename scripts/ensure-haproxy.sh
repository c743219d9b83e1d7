#!/usr/bin/env bash
# The replica tests and `yarn bench` put Debian's HAProxy in front of the backend replicas
# (packages/replica-tests/src/haproxy.ts starts it). Installs it with apt-get when missing.
set -euo pipefail

haproxy_path=${HAPROXY_PATH:-/usr/sbin/haproxy}
if [ -x "$haproxy_path" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "replica tests: no HAProxy at $haproxy_path. Install Debian's haproxy package (apt-get install haproxy) or set HAPROXY_PATH." >&2
  exit 1
fi
echo "replica tests: installing Debian's haproxy package"
apt-get update -qq
# The tests start their own HAProxy processes; the package's service, where one starts, runs
# Debian's default config, which has no frontend and so listens on no port.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null
