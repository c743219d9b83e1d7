#!/usr/bin/env bash
# Installs a Debian package with apt-get when a program the tests need is missing: the machines
# this repo runs on reach Debian's archive, but no browser or binary download site.
#
#   scripts/ensure-debian-package.sh <package> <program path> <who needs it> <variable for another path>
set -euo pipefail

package=$1 program=$2 purpose=$3 variable=$4
if [ -x "$program" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "$purpose: no $package at $program. Install Debian's $package package (apt-get install $package) or set $variable." >&2
  exit 1
fi
echo "$purpose: installing Debian's $package package"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
