#!/usr/bin/env bash
# make deploy: build the handlers (cargo-lambda, via sam build) and the app, deploy the stack,
# then publish the site with its config.json. Checks credentials before building anything, so
# a machine without AWS access stops with a message instead of half-deploying.
set -euo pipefail
cd "$(dirname "$0")/.."

STACK=${CONFAB_STACK:-confab}
# boto3 and the SAM CLI read AWS_DEFAULT_REGION; accept the more common AWS_REGION too.
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${AWS_REGION:-}}
[ -n "$AWS_DEFAULT_REGION" ] || unset AWS_DEFAULT_REGION
export SAM_CLI_TELEMETRY=0 SAM_CLI_BETA_RUST_CARGO_LAMBDA=1

scripts/ensure-venv.sh infra
python=.venvs/infra/bin/python
sam=.venvs/infra/bin/sam

if ! "$python" infra/aws.py whoami; then
  cat >&2 <<'MSG'

make deploy needs AWS credentials and a region, and found none that work.
Configure them first, for example:
  export AWS_PROFILE=my-profile AWS_REGION=eu-west-1      # or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
Nothing was built or deployed. See docs/DEPLOY.md.
MSG
  exit 1
fi

scripts/ensure-rust.sh
rustup target add aarch64-unknown-linux-gnu >/dev/null
scripts/ensure-venv.sh lambda
export PATH="$PWD/.venvs/lambda/bin:$PATH"   # sam build runs `cargo lambda`

echo "==> building the handlers for Lambda (arm64)"
"$sam" build --template-file infra/template.yaml --build-dir .aws-sam/build --beta-features

# API Gateway's CloudWatch role is one setting for the whole account and region: the stack sets
# it only when none is set or it is already the stack's own (docs/DEPLOY.md).
manage_account=${CONFAB_MANAGE_APIGW_ACCOUNT:-$("$python" infra/aws.py logging-role "$STACK")}

echo "==> deploying stack $STACK"
# The WAF web ACL on CloudFront (on unless CONFAB_WAF=false) can only exist in us-east-1;
# the template leaves it out in other regions (docs/DEPLOY.md).
"$sam" deploy --template-file .aws-sam/build/template.yaml --stack-name "$STACK" \
  --parameter-overrides "EnableWaf=${CONFAB_WAF:-true}" "ManageApiGatewayAccount=$manage_account" \
  --capabilities CAPABILITY_IAM --resolve-s3 \
  --no-confirm-changeset --no-fail-on-empty-changeset

echo "==> building the app"
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
if [ -d app ]; then
  make app
  cp -R dist/. "$site/"
else
  echo "    no app/ yet: publishing a placeholder page"
  cp infra/placeholder.html "$site/index.html"
fi

echo "==> publishing the site"
"$python" infra/aws.py publish "$STACK" "$site"
