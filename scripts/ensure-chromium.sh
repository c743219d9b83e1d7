#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (a Playwright browser download cannot work
# here). Installs it with apt-get when it is missing.
set -euo pipefail

chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$chromium_path" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "e2e: no Chromium at $chromium_path. Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH." >&2
  exit 1
fi
echo "e2e: installing Debian's chromium package"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
