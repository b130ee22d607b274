"""scripts/bench_cost.py's arithmetic on a made-up benchmark result, prices, template and
DEPLOY.md: what an event costs, how the Lambda time is modelled, and the check of the figure
docs/DEPLOY.md states. (The real figures are checked in every `make bench`.)"""

import json
import tempfile
import unittest
from decimal import Decimal
from pathlib import Path

import bench_cost

PRICES = {
    "region": "us-east-1",
    "prices": {
        "dynamodb_read_units": {"usd": 0.25, "per": 1_000_000, "read_on": "2026-12-07"},
        "dynamodb_write_units": {"usd": 1.0, "per": 1_000_000, "read_on": "2026-12-07"},
        "websocket_messages": {"usd": 1.0, "per": 1_000_000, "metered_bytes": 32768,
                               "read_on": "2026-12-07"},
        "websocket_connection_minutes": {"usd": 0.25, "per": 1_000_000, "read_on": "2026-12-07"},
        "lambda_requests": {"usd": 0.2, "per": 1_000_000, "read_on": "2026-12-07"},
        "lambda_arm64_gb_seconds": {"usd": 0.00001, "per": 1, "read_on": "2026-12-07"},
    },
}

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Architectures: [arm64]
    MemorySize: 256
Resources:
  SendMessageFunction:
    Type: AWS::Serverless::Function
    Properties:
      Role: !GetAtt SendRole.Arn
  TypingFunction:
    Type: AWS::Serverless::Function
    Properties:
      MemorySize: 512 # more for the test
  SendWsIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      IntegrationUri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${SendMessageFunction.Arn}/invocations"
  TypingWsIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      IntegrationUri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${TypingFunction.Arn}/invocations"
  PingIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      IntegrationType: MOCK
  SendMessageRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      RouteKey: sendMessage
      Target: !Sub "integrations/${SendWsIntegration}"
  TypingRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      RouteKey: typing
      Target: !Sub "integrations/${TypingWsIntegration}"
  PingRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      RouteKey: ping
      Target: !Sub "integrations/${PingIntegration}"
Outputs:
  Nothing:
    Value: here
"""

# A send in a 50-member room: one ack, then 49 posts; 6 store calls; 3 RCU and 7 WCU, of which
# the rate limit is 0.5 and 1.
SEND = {
    "key": "send", "event": "sendMessage, public room of 50", "route": "sendMessage",
    "room_members": 50, "frame_bytes": 120, "store_calls": 6,
    "rcu": 3.0, "wcu": 7.0, "limit_rcu": 0.5, "limit_wcu": 1.0, "posts": 50,
    "deliveries": [{"posts": 1, "bytes": 300}, {"posts": 49, "bytes": 280}],
    "calls": [
        {"call": "GetItem", "what": "send allowance", "rate_limit": True},
        {"call": "PutItem", "what": "send allowance", "rate_limit": True},
        {"call": "TransactWriteItems", "rate_limit": False,
         "what": "idempotency key + message or change + room counter (sequence number)"},
    ],
}

# At these prices, with 16 posts at once: 51 messages $51.00; 6 × 5 ms + (1 + 4) × 30 ms = 180 ms
# at 0.25 GB is 45,000 GB-s a million, $0.45, and $0.20 of requests; 3 RCU $0.75; 7 WCU $7.00.
SEND_TOTAL = Decimal("59.40")


class Fixture:
    """A repository root and a results folder holding only what bench_cost reads."""

    def __init__(self, events, deploy=None, bound=16):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        (self.root / "infra").mkdir()
        (self.root / "infra/prices.json").write_text(json.dumps(PRICES))
        (self.root / "infra/template.yaml").write_text(TEMPLATE)
        live = self.root / "handlers/domain/src/live.rs"
        live.parent.mkdir(parents=True)
        live.write_text(f"/// How many.\npub const MAX_CONCURRENT_POSTS: usize = {bound};\n")
        if deploy is not None:
            (self.root / "docs").mkdir()
            (self.root / "docs/DEPLOY.md").write_text(deploy)
        self.results = self.root / "target/bench"
        self.results.mkdir(parents=True)
        if events is not None:
            (self.results / "capacity-events.json").write_text(json.dumps(events))

    def section(self):
        return bench_cost.section(self.results, root=self.root)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.tmp.cleanup()


def deploy_saying(figure: str) -> str:
    return f"# Deploying\n\n## What it costs\n\n**Cost per million messages in a 50-member room: ${figure}**\n"


def target(rows, name):
    return next(row for row in rows if row[0] == name)


class Arithmetic(unittest.TestCase):
    def test_a_send_costs_its_messages_lambda_and_units(self):
        with Fixture([SEND]) as f:
            price, _ = bench_cost.prices(f.root)
            bound = bench_cost.max_concurrent_posts(f.root)
            c = bench_cost.cost(SEND, price, 32768, bound, 256)
        self.assertEqual((c["messages_in"], c["messages_out"]), (1, 50))
        self.assertEqual(c["waves"], 5)  # ⌈1/16⌉ + ⌈49/16⌉
        self.assertEqual(c["duration_ms"], 6 * 5 + 5 * 30)
        parts = {k: bench_cost.cents(v) for k, v in c["parts"].items()}
        self.assertEqual(parts, {
            "messages": Decimal("51.00"), "lambda_requests": Decimal("0.20"),
            "lambda_duration": Decimal("0.45"), "reads": Decimal("0.75"), "writes": Decimal("7.00"),
        })
        self.assertEqual(bench_cost.cents(c["total"]), SEND_TOTAL)

    def test_the_concurrency_bound_is_read_from_the_source(self):
        with Fixture([SEND], bound=64) as f:
            self.assertEqual(bench_cost.max_concurrent_posts(f.root), 64)
            price, _ = bench_cost.prices(f.root)
            c = bench_cost.cost(SEND, price, 32768, 64, 256)
        self.assertEqual(c["waves"], 2)
        self.assertEqual(c["duration_ms"], 6 * 5 + 2 * 30)

    def test_a_post_over_32_kb_is_metered_as_two_messages(self):
        big = dict(SEND, frame_bytes=40_000, deliveries=[{"posts": 3, "bytes": 33 * 1024}])
        with Fixture([big]) as f:
            price, _ = bench_cost.prices(f.root)
            c = bench_cost.cost(big, price, 32768, 16, 256)
        self.assertEqual((c["messages_in"], c["messages_out"]), (2, 6))

    def test_each_route_runs_on_its_own_functions_memory(self):
        with Fixture([SEND]) as f:
            memory = bench_cost.memory_by_route(f.root)
        self.assertEqual(memory, {"sendMessage": 256, "typing": 512})  # ping: no Lambda

    def test_the_section_shows_each_event_with_its_rate_limit_apart(self):
        with Fixture([SEND], deploy=deploy_saying("59.40")) as f:
            lines, _ = f.section()
        self.assertEqual(lines[0], "## Cost per event type")
        row = next(line for line in lines if line.startswith("| send (public room) |"))
        self.assertEqual(row, "| send (public room) | 1 | 51 (1 + 50) | 6 | 3.0 (0.5) | 7.0 (1.0) | 180 ms | $59.40 |")
        text = "\n".join(lines)
        self.assertIn("| typing | not measured |", text)
        self.assertIn("**$59.40**", text)
        # What the benchmark saw called, not what anyone wrote down.
        self.assertIn("in brackets: send (public room): send allowance.", text)
        self.assertIn("in the write's own transaction by: send (public room).", text)


class Targets(unittest.TestCase):
    def test_the_deploy_figure_that_matches_to_the_cent_is_met(self):
        with Fixture([SEND], deploy=deploy_saying("59.40")) as f:
            _, rows = f.section()
        self.assertEqual(target(rows, bench_cost.DEPLOY_TARGET)[1:], ("$59.40 stated, $59.40 measured", "met"))

    def test_a_wrong_deploy_figure_is_missed(self):
        with Fixture([SEND], deploy=deploy_saying("59.41")) as f:
            _, rows = f.section()
        self.assertEqual(target(rows, bench_cost.DEPLOY_TARGET)[1:], ("$59.41 stated, $59.40 measured", "**missed**"))

    def test_a_deploy_guide_without_the_figure_is_missed(self):
        with Fixture([SEND], deploy="# Deploying\n\nNo cost here.\n") as f:
            _, rows = f.section()
        self.assertEqual(target(rows, bench_cost.DEPLOY_TARGET)[1:], ("no figure stated, $59.40 measured", "**missed**"))

    def test_an_event_type_left_unmeasured_is_missed(self):
        with Fixture([SEND], deploy=deploy_saying("59.40")) as f:
            _, rows = f.section()
        measured, verdict = target(rows, bench_cost.COVERAGE_TARGET)[1:]
        self.assertTrue(measured.startswith(f"1 of {len(bench_cost.EVENTS)} (missing: "), measured)
        self.assertEqual(verdict, "**missed**")

    def test_every_event_type_measured_is_met(self):
        events = [dict(SEND, key=key) for key in bench_cost.EVENTS]
        with Fixture(events, deploy=deploy_saying("59.40")) as f:
            _, rows = f.section()
        self.assertEqual(target(rows, bench_cost.COVERAGE_TARGET)[1:], (f"{len(events)} of {len(events)}", "met"))

    def test_no_benchmark_result_is_not_measured(self):
        with Fixture(None, deploy=deploy_saying("59.40")) as f:
            lines, rows = f.section()
        self.assertIn("Not measured", "\n".join(lines))
        self.assertEqual([r[1:] for r in rows], [("not measured", "—"), ("not measured", "—")])


class TheRepository(unittest.TestCase):
    """What bench_cost reads from this repository is where it looks."""

    def test_prices_template_source_and_deploy_guide_are_readable(self):
        price, table = bench_cost.prices(bench_cost.ROOT)
        for name in ("dynamodb_read_units", "dynamodb_write_units", "websocket_messages",
                     "websocket_connection_minutes", "lambda_requests", "lambda_arm64_gb_seconds"):
            self.assertGreater(price[name], 0, name)
            self.assertIn("source", table["prices"][name], name)
            self.assertIn("read_on", table["prices"][name], name)
        self.assertGreater(bench_cost.max_concurrent_posts(bench_cost.ROOT), 0)
        memory = bench_cost.memory_by_route(bench_cost.ROOT)
        for route in ("sendMessage", "editMessage", "react", "deleteMessage", "markRead",
                      "typing", "joinRoom", "$connect", "$disconnect"):
            self.assertIn(route, memory)
        self.assertNotIn("ping", memory)
        self.assertIsNotNone(bench_cost.stated_in_deploy(bench_cost.ROOT))


if __name__ == "__main__":
    unittest.main()
