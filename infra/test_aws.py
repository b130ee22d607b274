"""The deploy helpers (infra/aws.py) against moto's S3, CloudFront and API Gateway.

Run by make test (infra-check): .venvs/test/bin/python -m unittest discover -s infra -p test_aws.py
"""

import os
import tempfile
import unittest
from pathlib import Path
from unittest import mock

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")

import boto3  # noqa: E402  (after the fake credentials)
from moto import mock_aws  # noqa: E402

import aws  # noqa: E402

# What `make app` writes to dist/ (Trunk, then scripts/split_app.py and externalize_loader.py).
BUILD = {
    "index.html": "no-cache",
    "app-4cac12159c35d459.js": "immutable",
    "app-4cac12159c35d459_bg.wasm": "immutable",
    "chunk-auth-ef6b65ef584ca275.wasm": "immutable",
    "chunk-shared-3-5033d2e9983694c3.wasm": "immutable",
    "loader-66c9ef3d4c5f8ccb.js": "immutable",
    "main-ea6c80ebd3b88d7d.css": "immutable",
    "split-02b24518e3766278.js": "immutable",
    "config.json": "no-cache",
}


def distribution() -> str:
    config = {
        "CallerReference": "test",
        "Comment": "",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [
            {"Id": "site", "DomainName": "site.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}},
        ]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
    }
    created = boto3.client("cloudfront").create_distribution(DistributionConfig=config)
    return created["Distribution"]["Id"]


class Publish(unittest.TestCase):
    @mock_aws
    def test_every_hashed_asset_is_cached_for_a_year_and_the_rest_is_always_fetched_fresh(self):
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="site")
        outputs = {"HttpApiUrl": "https://x/api", "WebSocketUrl": "wss://y/production",
                   "SiteBucketName": "site", "DistributionId": distribution(), "SiteUrl": "https://x"}
        with tempfile.TemporaryDirectory() as site, mock.patch.object(aws, "outputs", return_value=outputs), \
                mock.patch("sys.stdout"):
            for name in BUILD:
                if name != "config.json":
                    Path(site, name).write_text("x")
            self.assertEqual(aws.publish("confab", site), 0)
        for key, expected in BUILD.items():
            head = s3.head_object(Bucket="site", Key=key)
            cache = head["CacheControl"]
            if expected == "immutable":
                self.assertEqual(cache, "public, max-age=31536000, immutable", key)
            else:
                self.assertEqual(cache, "no-cache", key)
        wasm = s3.head_object(Bucket="site", Key="app-4cac12159c35d459_bg.wasm")
        self.assertEqual(wasm["ContentType"], "application/wasm")


class LoggingRole(unittest.TestCase):
    """Whether make deploy lets the stack set the account-wide API Gateway CloudWatch role."""

    def decide(self, own: str = "") -> str:
        outputs = {"ApiGatewayLoggingRoleArn": own} if own else {}
        with mock.patch.object(aws, "outputs", return_value=outputs), \
                mock.patch("sys.stdout") as out, mock.patch("sys.stderr"):
            self.assertEqual(aws.logging_role("confab"), 0)
        return "".join(call.args[0] for call in out.write.call_args_list).strip()

    def set_role(self, arn: str) -> None:
        boto3.client("apigateway").update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": arn}])

    def role(self, name: str) -> str:
        """A role that exists (in moto's IAM), by ARN."""
        created = boto3.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument="{}")
        return created["Role"]["Arn"]

    @mock_aws
    def test_an_account_with_no_role_set_lets_the_stack_set_one(self):
        self.assertEqual(self.decide(), "true")

    @mock_aws
    def test_a_role_someone_else_set_is_kept(self):
        self.set_role(self.role("theirs"))
        self.assertEqual(self.decide(), "false")
        self.assertEqual(self.decide(own=self.role("confab-ours")), "false")

    @mock_aws
    def test_the_stacks_own_role_stays_managed_by_it(self):
        ours = self.role("confab-ours")
        self.set_role(ours)
        self.assertEqual(self.decide(own=ours), "true")

    @mock_aws
    def test_a_stack_deployed_before_the_output_existed_still_owns_its_role(self):
        # No ApiGatewayLoggingRoleArn output: the stack's resource names the role.
        self.set_role(self.role("confab-ApiGatewayLoggingRole-ABC"))
        resource = {"StackResourceDetail": {"PhysicalResourceId": "confab-ApiGatewayLoggingRole-ABC"}}
        cloudformation = mock.MagicMock()
        cloudformation.describe_stack_resource.return_value = resource
        real_client = boto3.client
        with mock.patch.object(aws.boto3, "client",
                               lambda name, **kw: cloudformation if name == "cloudformation"
                               else real_client(name, **kw)):
            self.assertEqual(self.decide(), "true")

    @mock_aws
    def test_a_role_set_but_deleted_since_is_taken_over(self):
        # What make destroy of a stack that held the setting leaves behind.
        self.set_role("arn:aws:iam::123456789012:role/confab-deleted")
        self.assertEqual(self.decide(), "true")

    @mock_aws
    def test_destroy_warns_only_when_the_setting_names_the_stacks_role(self):
        ours = "arn:aws:iam::123456789012:role/confab-ours"
        for account_role, own, warned in [(ours, ours, True), ("arn:aws:iam::1:role/theirs", ours, False),
                                          (ours, "", False)]:
            self.set_role(account_role)
            outputs = {"ApiGatewayLoggingRoleArn": own} if own else {}
            with mock.patch.object(aws, "outputs", return_value=outputs), mock.patch("sys.stdout") as out:
                self.assertEqual(aws.logging_role_left("confab"), 0)
            printed = "".join(call.args[0] for call in out.write.call_args_list)
            self.assertEqual(ours in printed, warned, (account_role, own))


if __name__ == "__main__":
    unittest.main()
