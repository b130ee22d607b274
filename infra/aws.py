"""Deploy helpers on boto3 (which the SAM CLI venv already has).

  aws.py whoami                 exit 0 when credentials and a region work
  aws.py output STACK KEY       print one stack output (make rotate-key: JwtKeysSecretArn)
  aws.py publish STACK DIR      write config.json, upload DIR to the site bucket, invalidate
  aws.py empty-bucket STACK     delete every object version in the site bucket
  aws.py retained STACK         print the retained tables and how to delete them
  aws.py logging-role STACK     print whether the stack should set the region's API Gateway
                                CloudWatch role (ManageApiGatewayAccount): "true" only when
                                none is set, the one set is gone, or it is this stack's
  aws.py logging-role-left STACK
                                before make destroy: warn when that account-wide setting is
                                this stack's role, which the delete removes
"""

import json
import mimetypes
import re
import sys
import time
from pathlib import Path

import boto3
import botocore.exceptions

# Trunk names assets with a content hash (app-1a2b3c4d.js, app-1a2b3c4d_bg.wasm, main-….css;
# scripts/split_app.py's chunk-auth-….wasm): they never change, so cache them for a year.
# index.html and config.json must always be fetched fresh.
HASHED = re.compile(r"-[0-9a-f]{8,}(_bg)?\.(js|wasm|css)$")
TYPES = {".wasm": "application/wasm", ".js": "text/javascript", ".json": "application/json"}


def whoami() -> int:
    try:
        session = boto3.session.Session()
        if not session.region_name:
            print("no AWS region configured (set AWS_REGION)", file=sys.stderr)
            return 1
        identity = session.client("sts").get_caller_identity()
        print(f"deploying as {identity['Arn']} in {session.region_name}")
        return 0
    except (botocore.exceptions.NoCredentialsError, botocore.exceptions.ClientError,
            botocore.exceptions.BotoCoreError) as error:
        print(f"AWS credentials do not work: {error}", file=sys.stderr)
        return 1


def outputs(stack: str) -> dict:
    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def output(stack: str, key: str) -> int:
    """Prints one of the stack's outputs (make rotate-key reads the key set's ARN)."""
    value = outputs(stack).get(key)
    if value is None:
        print(f"stack {stack} has no output {key}: deploy this version first (make deploy)", file=sys.stderr)
        return 1
    print(value)
    return 0


def cache_control(key: str) -> str:
    return "public, max-age=31536000, immutable" if HASHED.search(key) else "no-cache"


def publish(stack: str, directory: str) -> int:
    out = outputs(stack)
    root = Path(directory)
    config = {"apiUrl": out["HttpApiUrl"], "wsUrl": out["WebSocketUrl"]}
    (root / "config.json").write_text(json.dumps(config))
    s3 = boto3.client("s3")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        key = path.relative_to(root).as_posix()
        content_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        cache = cache_control(key)
        s3.upload_file(str(path), out["SiteBucketName"], key,
                       ExtraArgs={"ContentType": content_type, "CacheControl": cache})
        print(f"    {key}  ({content_type}; {cache})")
    boto3.client("cloudfront").create_invalidation(
        DistributionId=out["DistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 2, "Items": ["/index.html", "/config.json"]},
                           "CallerReference": str(time.time())},
    )
    print(f"\nConfab is live at {out['SiteUrl']}\n  HTTP API  {out['HttpApiUrl']}\n  WebSocket {out['WebSocketUrl']}")
    return 0


def empty_bucket(stack: str) -> int:
    try:
        bucket = outputs(stack)["SiteBucketName"]
    except (botocore.exceptions.ClientError, KeyError):
        print("no stack or bucket to empty")
        return 0
    boto3.resource("s3").Bucket(bucket).object_versions.delete()
    print(f"emptied {bucket}")
    return 0


def retained(stack: str) -> int:
    print("The DynamoDB tables were kept (DeletionPolicy: Retain) so no history is lost by accident.")
    print(f"Delete them in the console (tables named {stack}-UsersTable-…, -ConnectionsTable-…,")
    print("-MessagesTable-…) or with: aws dynamodb delete-table --table-name <name>")
    return 0


def account_logging_role() -> str:
    """The region's account-wide API Gateway CloudWatch role ("" when none is set)."""
    return boto3.client("apigateway").get_account().get("cloudwatchRoleArn") or ""


def role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def own_logging_role(stack: str) -> str:
    """The role this stack made for that setting ("" when it has none or does not exist): its
    output, or, for a stack deployed before the output existed, its ApiGatewayLoggingRole."""
    try:
        own = outputs(stack).get("ApiGatewayLoggingRoleArn", "")
        if own:
            return own
        resource = boto3.client("cloudformation").describe_stack_resource(
            StackName=stack, LogicalResourceId="ApiGatewayLoggingRole")
        return resource["StackResourceDetail"]["PhysicalResourceId"]
    except botocore.exceptions.ClientError:
        return ""


def role_exists(arn: str) -> bool:
    try:
        boto3.client("iam").get_role(RoleName=role_name(arn))
        return True
    except botocore.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return False
        raise


def logging_role(stack: str) -> int:
    """API Gateway writes WebSocket access logs through one CloudWatch role per account and
    region, an account-wide setting (AWS::ApiGateway::Account). The stack sets it only when
    nothing else holds it: when none is set, when the role set no longer exists (a stack that
    set it was deleted), or when it is this stack's own. A role someone else set is kept."""
    current = account_logging_role()
    own = own_logging_role(stack)
    manage = (not current or (own and role_name(current) == role_name(own))
              or not role_exists(current))
    print("true" if manage else "false")
    if not manage:
        print(f"    API Gateway's CloudWatch role is already set ({current}): kept and used",
              file=sys.stderr)
    return 0


def logging_role_left(stack: str) -> int:
    own = own_logging_role(stack)
    if own and role_name(account_logging_role()) == role_name(own):
        print(f"Note: this region's account-wide API Gateway CloudWatch role is {own}, which the\n"
              "stack created and deleting it removes. API Gateway stages in this region that log\n"
              "to CloudWatch will fail to write logs until it points at a role that exists:\n"
              "  aws apigateway update-account --patch-operations \\\n"
              "    op=replace,path=/cloudwatchRoleArn,value=<role ARN>\n"
              "(the next make deploy sets its own again). See docs/DEPLOY.md.")
    return 0


def main(argv: list) -> int:
    commands = {"whoami": whoami, "output": output, "publish": publish, "empty-bucket": empty_bucket,
                "retained": retained, "logging-role": logging_role,
                "logging-role-left": logging_role_left}
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
