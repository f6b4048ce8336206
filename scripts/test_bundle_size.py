"""Tests of scripts/bundle-size.py (`make unit` runs them with Python's standard library only):
the size check counts the deploy kit's precompressed copies, and refuses numbers it can't trust."""
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

SCRIPT = pathlib.Path(__file__).with_name("bundle-size.py")


def run(dist, *args):
    return subprocess.run([sys.executable, str(SCRIPT), str(dist), *args],
                          capture_output=True, text=True, check=False)


class BundleSize(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dist = pathlib.Path(self.tmp.name)
        for name in ("_headers", "_redirects", "staticwebapp.config.json"):
            (self.dist / name).write_text("x" * 5000)
        (self.dist / "app.wasm").write_bytes(b"\0" * 10_000)
        (self.dist / "app.wasm.br").write_bytes(b"b" * 3_000)
        (self.dist / "app.wasm.gz").write_bytes(b"g" * 4_000)
        (self.dist / "config.json").write_text("{}" * 50)  # never compressed: raw size
        (self.dist / "locales").mkdir()
        (self.dist / "locales" / "de.json").write_text("x" * 9000)  # fetched by few: not counted

    def tearDown(self):
        self.tmp.cleanup()

    def test_counts_the_kits_copies_and_raw_files_without_one(self):
        result = run(self.dist, "--budget-kb", "3.1")
        self.assertEqual(result.returncode, 0, result.stderr)
        total = next(line for line in result.stdout.splitlines() if line.startswith("total"))
        self.assertEqual(total.split()[1:], ["10,100", "4,100", "3,100"])
        self.assertIn("size check: 3.1 KB of 3.1 KB (brotli)", result.stdout)

    def test_fails_over_the_budget(self):
        result = run(self.dist, "--budget-kb", "3")
        self.assertEqual(result.returncode, 1)
        self.assertIn("FAILED: the page downloads 3.1 KB", result.stderr)

    def test_refuses_a_dist_the_kit_has_not_run_on(self):
        (self.dist / "_headers").unlink()
        result = run(self.dist, "--budget-kb", "300")
        self.assertEqual(result.returncode, 1)
        self.assertIn("the deploy kit hasn't run", result.stderr)

    def test_refuses_a_copy_older_than_its_file(self):
        copy = self.dist / "app.wasm.br"
        old = (self.dist / "app.wasm").stat().st_mtime - 60
        os.utime(copy, (old, old))
        result = run(self.dist, "--budget-kb", "300")
        self.assertEqual(result.returncode, 1)
        self.assertIn("is older than app.wasm", result.stderr)


if __name__ == "__main__":
    unittest.main()
