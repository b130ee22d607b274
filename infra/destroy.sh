#!/usr/bin/env bash
# make destroy: empty the site bucket (versioned) and delete the stack. The DynamoDB tables
# are retained (DeletionPolicy: Retain) so no chat history is lost by accident; the script
# names them and how to delete them.
set -euo pipefail
cd "$(dirname "$0")/.."

STACK=${CONFAB_STACK:-confab}
# boto3 and the SAM CLI read AWS_DEFAULT_REGION; accept the more common AWS_REGION too.
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-${AWS_REGION:-}}
[ -n "$AWS_DEFAULT_REGION" ] || unset AWS_DEFAULT_REGION
export SAM_CLI_TELEMETRY=0
scripts/ensure-venv.sh infra
python=.venvs/infra/bin/python

if ! "$python" infra/aws.py whoami; then
  echo "make destroy needs AWS credentials and a region (see docs/DEPLOY.md). Nothing was deleted." >&2
  exit 1
fi
"$python" infra/aws.py logging-role-left "$STACK"
"$python" infra/aws.py empty-bucket "$STACK"
.venvs/infra/bin/sam delete --stack-name "$STACK" --no-prompts
"$python" infra/aws.py retained "$STACK"
