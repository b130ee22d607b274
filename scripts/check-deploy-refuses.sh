#!/usr/bin/env bash
# make deploy on a machine without AWS credentials must stop with a clear message before it
# builds or deploys anything. Runs deploy.sh with no credentials, no profile and no metadata
# service, and checks exactly that.
set -euo pipefail
cd "$(dirname "$0")/.."

home=$(mktemp -d)
had_build=$([ -d .aws-sam ] && echo yes || echo no)
trap 'rm -rf "$home"' EXIT
set +e
output=$(env -i PATH="$PATH" HOME="$home" AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true \
  CONFAB_STACK=confab-check infra/deploy.sh 2>&1)
status=$?
set -e
if [ "$status" -eq 0 ]; then
  echo "deploy.sh succeeded without credentials?" >&2; exit 1
fi
grep -q "Nothing was built or deployed" <<<"$output" || { echo "unclear failure:" >&2; echo "$output" >&2; exit 1; }
if [ "$had_build" = no ] && [ -d .aws-sam ]; then
  echo "deploy.sh built before checking credentials" >&2; exit 1
fi
echo "make deploy without credentials: refused before building (exit $status)"
