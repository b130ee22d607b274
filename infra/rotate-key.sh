#!/usr/bin/env bash
# make rotate-key: a new current token signing key in the deployed stack's key set secret; the
# old key stays as "previous", so every token it signed still verifies until it expires and
# nobody is logged out. Running functions pick the new key up within 5 minutes, or at once
# when they meet a token signed with it (docs/DEPLOY.md). The rotation itself is the local
# gateway binary's (`--rotate-key --jwt-keys-secret ARN`), the same code the test suite runs
# against moto's Secrets Manager (handlers/gateway/tests/key_rotation.rs).
set -euo pipefail
cd "$(dirname "$0")/.."

STACK=${CONFAB_STACK:-confab}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${AWS_REGION:-}}
[ -n "$AWS_DEFAULT_REGION" ] || unset AWS_DEFAULT_REGION

scripts/ensure-venv.sh infra
python=.venvs/infra/bin/python
if ! "$python" infra/aws.py whoami; then
  echo "make rotate-key needs AWS credentials and a region (see docs/DEPLOY.md). Nothing changed." >&2
  exit 1
fi
arn=$("$python" infra/aws.py output "$STACK" JwtKeysSecretArn)

scripts/ensure-rust.sh
cargo build --profile local -p gateway --locked
target/local/confab-gateway --rotate-key --jwt-keys-secret "$arn"
