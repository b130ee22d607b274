#!/usr/bin/env bash
# What the end-to-end suite needs: Debian's Chromium (browsers cannot be downloaded here) and
# the suite's npm packages. Quick when both are present.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ! -x /usr/bin/chromium ]]; then
  echo "==> installing Chromium (Debian package)"
  sudo_cmd=""
  [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

if [[ ! -d end2end/node_modules/@playwright/test ]] || [[ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]]; then
  echo "==> installing the end-to-end suite's npm packages"
  (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
fi
