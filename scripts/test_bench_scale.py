"""Unit tests of bench_scale.py: saturation and fan-out figures, and their verdicts."""

import json
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_scale  # noqa: E402


def step(rate, p99, sustained, per_sec=1000.0):
    return {"rate": rate, "latency": {"p99_ms": p99}, "sustained": sustained,
            "deliveries_per_sec": per_sec}


def ramp(steps, rate, per_sec, cpu=0.01):
    return {"saturation": {"steps": steps, "sustained_rate": rate,
                           "sustained_deliveries_per_sec": per_sec,
                           "cpu_secs_per_1000_deliveries": cpu}, "lost": 0, "setup_secs": 3.0}


class Saturation(unittest.TestCase):
    def run_of(self, confab_share):
        confab = ramp([step(10, 20, True), step(15, 40, True), step(22.5, 400, False)], 15, 700 * confab_share / 0.7)
        base = ramp([step(10, 10, True), step(15, 20, True), step(22.5, 30, True)], 22.5, 1000)
        return [("1,000 clients, 1 room, ramped to saturation", [{"confab": confab, "baseline": base}])]

    def test_p99_is_compared_at_the_highest_rate_both_sustained(self):
        lines, _ = bench_scale.saturation_section(self.run_of(0.8))
        note = [line for line in lines if "the highest rate both sustained" in line][0]
        self.assertIn("at 15.0 messages/s", note)
        self.assertIn("**2.00×** the baseline's", note)

    def test_the_p99_target_is_met_at_one_point_three_and_missed_above(self):
        self.assertEqual(bench_scale.p99_target(1.3)[1:], ("1.30×", "met"))
        self.assertEqual(bench_scale.p99_target(1.31)[2], "**missed**")
        self.assertEqual(bench_scale.p99_target(None)[1], "not measured")

    def test_saturation_share_is_met_only_at_seven_tenths(self):
        _, met = bench_scale.saturation_section(self.run_of(0.8))
        _, missed = bench_scale.saturation_section(self.run_of(0.5))
        verdict = lambda ts: [t for t in ts if "saturation" in t[0]][0]  # noqa: E731
        self.assertEqual(verdict(met)[2], "met")
        self.assertEqual(verdict(missed)[1], "0.50×")
        self.assertEqual(verdict(missed)[2], "**missed**")

    def test_the_cpu_per_delivery_is_compared_with_the_baseline(self):
        confab = ramp([step(10, 20, True)], 10, 700, cpu=0.0084)
        base = ramp([step(10, 10, True)], 10, 1000, cpu=0.0070)
        lines, _ = bench_scale.saturation_section([("100 clients", [{"confab": confab, "baseline": base}])])
        self.assertTrue(any("CPU per delivery: **1.20×** the baseline's." in line for line in lines))
        self.assertEqual(bench_scale.cpu_ratio({"cpu_secs_per_1000_deliveries": None}, base), "")

    def test_the_baselines_second_deliveries_past_saturation_are_said(self):
        confab = ramp([step(10, 20, True)], 10, 700)
        base = {**ramp([step(10, 10, True)], 10, 1000), "duplicated": 250_000}
        lines, _ = bench_scale.saturation_section([("1,000 clients", [{"confab": confab, "baseline": base}])])
        self.assertTrue(any("The baseline delivered 250,000 twice" in line for line in lines))
        lines, _ = bench_scale.saturation_section([("1,000 clients", [{"confab": confab, "baseline": ramp([], 1, 1)}])])
        self.assertFalse(any("twice" in line for line in lines))

    def test_ramps_are_told_apart_from_fixed_rate_runs(self):
        self.assertTrue(bench_scale.is_ramp([{"confab": ramp([], 0, 0)}]))
        self.assertFalse(bench_scale.is_ramp([{"confab": {"latency": {}}}]))


class Fanout(unittest.TestCase):
    def write(self, directory, n, last, healthy=True, setup=20.0):
        messages = [{"delivered": n, "first_ms": 50, "p50_ms": 500, "p99_ms": last - 10, "last_ms": last}] * 5
        (directory / f"fanout-{n}.json").write_text(json.dumps({
            "connections": n, "messages": messages, "last_ms_median": last, "last_ms_max": last,
            "setup_secs": setup, "healthy": healthy}))

    def test_ten_thousand_within_two_seconds_is_met_and_a_skipped_size_says_why(self):
        with tempfile.TemporaryDirectory() as d:
            d = Path(d)
            self.write(d, 10_000, 1700.0)
            (d / "fanout-50000.json").write_text(json.dumps(
                {"connections": 50000, "skipped": "needs 50200 open files per process"}))
            lines, targets = bench_scale.fanout_section(d)
        self.assertEqual(targets[0][2], "met")
        self.assertEqual(targets[1], targets[1][:2] + ("met",))
        self.assertTrue(any("not run: needs 50200" in line for line in lines))
        # Ordered by size, not by name.
        rows = [line for line in lines if line.startswith("| 10,000") or line.startswith("| 50,000")]
        self.assertTrue(rows[0].startswith("| 10,000"))

    def test_a_big_room_row_counts_its_invocations_and_prices_the_posts_and_the_lambdas(self):
        with tempfile.TemporaryDirectory() as d:
            self.write(Path(d), 10_000, 1000.0)
            lines, _ = bench_scale.fanout_section(Path(d))
        shard = bench_scale.shard_size(bench_scale.bench_cost.ROOT)
        row = next(line for line in lines if line.startswith("| 10,000"))
        self.assertTrue(row.startswith(f"| 10,000 | {-(-10_000 // shard)} |"), row)
        # 10,000 posts at $1 per million each, per million messages: $10,000.
        self.assertIn("$10,000 + $", row)
        cost = bench_scale.fanout_cost(10_000, 1000.0, 1000, 256,
                                       {"websocket_messages": 1e-6, "lambda_requests": 2e-7,
                                        "lambda_arm64_gb_seconds": 1e-5})
        self.assertEqual(cost["invocations"], 10)
        # 10 requests ($2) and 10 × 0.25 GB × 1 s = 2.5 GB-s ($25), per million messages.
        self.assertAlmostEqual(cost["lambda"], 27.0)

    def test_a_slow_or_lossy_big_room_is_missed(self):
        for last, healthy in ((2500.0, True), (1500.0, False)):
            with tempfile.TemporaryDirectory() as d:
                self.write(Path(d), 10_000, last, healthy)
                _, targets = bench_scale.fanout_section(Path(d))
            self.assertEqual(targets[0][2], "**missed**")


if __name__ == "__main__":
    unittest.main()
