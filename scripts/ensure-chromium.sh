#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (a Playwright browser download cannot work here).
exec bash "$(dirname "$0")/ensure-debian-package.sh" chromium "${CHROMIUM_PATH:-/usr/bin/chromium}" e2e CHROMIUM_PATH
