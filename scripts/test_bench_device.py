"""Unit tests of bench_device.py: the lent machine's figures rendered apart from this machine's,
under their own commit, with the targets stated at 16 cores judged on them."""

import json
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_device  # noqa: E402


def fixed(p99, base_p99):
    latency = lambda p: {"p50_ms": p / 4, "p95_ms": p / 2, "p99_ms": p, "max_ms": 2 * p}  # noqa: E731
    return {"confab": {"latency": latency(p99), "deliveries_per_sec": 49_900, "lost": 0,
                       "expected_deliveries": 299_700},
            "baseline": {"latency": latency(base_p99), "deliveries_per_sec": 49_900},
            "p99_ratio": p99 / base_p99}


def ramp(rate, per_sec):
    step = {"rate": rate, "latency": {"p99_ms": 50.0}, "sustained": True, "deliveries_per_sec": per_sec}
    return {"saturation": {"steps": [step], "sustained_rate": rate, "sustained_deliveries_per_sec": per_sec,
                           "cpu_secs_per_1000_deliveries": 0.004}, "lost": 0, "setup_secs": 2.0}


class DeviceSection(unittest.TestCase):
    def setUp(self):
        self.dir = Path(tempfile.mkdtemp())

    def write(self, name, value):
        (self.dir / name).write_text(value if isinstance(value, str) else json.dumps(value))

    def lent_run(self, p99=9.0):
        self.write("machine.json", {"cores": 16, "cpu": "Some CPU", "memory_gib": 126, "kernel": "6.18",
                                    "commit": "abc1234", "dirty": False, "date": "2026-12-09 10:00 UTC"})
        self.write("scenario-0.name", "1,000 clients, 1 room")
        self.write("load-0-1.json", fixed(p99, 5.0))
        self.write("scenario-1.name", "1,000 clients, 1 room, ramped to saturation")
        self.write("load-1-1.json", {"confab": ramp(800, 790_000), "baseline": ramp(1000, 990_000)})
        self.write("fanout-50000.json", {"connections": 50000, "users": 100, "setup_secs": 40.0, "healthy": True,
                                         "last_ms_median": 1800.0, "last_ms_max": 1900.0,
                                         "messages": [{"delivered": 50000, "first_ms": 60.0, "p50_ms": 900.0,
                                                       "p99_ms": 1700.0, "last_ms": 1800.0}]})

    def test_without_a_lent_run_the_targets_say_not_measured(self):
        lines, targets = bench_device.device_section(self.dir)
        self.assertIn("Not measured yet", "\n".join(lines))
        self.assertEqual({t[1] for t in targets}, {"not measured"})
        self.assertTrue(all("16-core" in t[0] for t in targets))

    def test_a_lent_run_is_rendered_under_its_own_commit_and_machine(self):
        self.lent_run()
        lines, _ = bench_device.device_section(self.dir)
        text = "\n".join(lines)
        self.assertIn("at commit `abc1234`", text)
        self.assertIn("16 × Some CPU, 126 GiB RAM", text)
        # The shared sections sit one level below this one, marked with the core count.
        self.assertIn("### Saturation (16 cores)", lines)
        self.assertIn("#### 1,000 clients, 1 room", lines)
        self.assertTrue(any(line.startswith("| 50,000 | 50 |") for line in lines))

    def test_the_sixteen_core_targets_are_judged_on_the_lent_run(self):
        self.lent_run(p99=9.0)
        _, targets = bench_device.device_section(self.dir)
        by_name = {t[0].split(" (")[0]: t for t in targets}
        saturation = by_name["1,000 clients: saturation ≥ 0.7× the baseline's"]
        self.assertEqual(saturation[1:], ("0.80×", "met"))
        self.assertIn("on the lent machine, 16 cores", saturation[0])
        p99 = by_name["1,000 clients in one room at 50 messages/s: p99 ≤ 1.3× the baseline's"]
        self.assertEqual(p99[1:], ("1.80×", "**missed**"))

    def test_ten_thousand_people_set_up_within_a_minute_is_judged_where_it_ran(self):
        self.lent_run()
        self.write("scenario-2.name", "10,000 clients, 1 room, ramped to saturation")
        slow = {"confab": {**ramp(4, 40_000), "setup_secs": 75.0}, "baseline": ramp(6, 60_000)}
        self.write("load-2-1.json", slow)
        _, targets = bench_device.device_section(self.dir)
        setup = [t for t in targets if t[0].startswith("setup of 10,000 clients, each its own person")]
        self.assertEqual(setup[0][1:], ("75 s", "**missed**"))

    def test_the_biggest_room_is_said_to_have_run_only_where_it_did(self):
        self.lent_run()
        ran = "\n".join(bench_device.device_section(self.dir)[0])
        self.assertIn("so the 50,000-connection room ran", ran)
        self.write("fanout-50000.json", {"connections": 50000, "skipped": "needs 50200 open files"})
        skipped = "\n".join(bench_device.device_section(self.dir)[0])
        self.assertNotIn("so the 50,000-connection room ran", skipped)

    def test_a_dirty_tree_is_said(self):
        self.lent_run()
        meta = json.loads((self.dir / "machine.json").read_text())
        self.write("machine.json", {**meta, "dirty": True})
        lines, _ = bench_device.device_section(self.dir)
        self.assertIn("(with uncommitted changes)", "\n".join(lines))


if __name__ == "__main__":
    unittest.main()


class Import(unittest.TestCase):
    """`bench-device.sh import`: a run's figures in, its logs left out, a bad tarball refused."""

    script = Path(__file__).resolve().parent / "bench-device.sh"

    def tarball(self, files):
        work = Path(tempfile.mkdtemp())
        for name, text in files.items():
            (work / name).write_text(text)
        tarball = work.parent / f"{work.name}.tar.gz"
        subprocess.run(["tar", "czf", str(tarball), "-C", str(work), "."], check=True)
        return tarball

    def run_import(self, tarball, results):
        env = {**os.environ, "DEVICE_RESULTS": str(results)}
        return subprocess.run(["bash", str(self.script), "import", str(tarball)], env=env,
                              capture_output=True, text=True)

    def test_the_figures_are_imported_and_the_logs_are_not(self):
        results = Path(tempfile.mkdtemp()) / "16-core"
        tarball = self.tarball({"machine.json": "{}", "scenario-0.name": "x", "load-0-1.json": "{}",
                                "gateway-0-1.log.tail": "noise"})
        done = self.run_import(tarball, results)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(sorted(p.name for p in results.iterdir()),
                         ["load-0-1.json", "machine.json", "scenario-0.name"])

    def test_a_tarball_without_the_machine_is_refused_and_the_last_import_stays(self):
        results = Path(tempfile.mkdtemp()) / "16-core"
        results.mkdir()
        (results / "machine.json").write_text("{\"cores\": 16}")
        done = self.run_import(self.tarball({"load-0-1.json": "{}"}), results)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("no machine.json", done.stderr)
        self.assertEqual((results / "machine.json").read_text(), "{\"cores\": 16}")
