#!/usr/bin/env python3
"""Prints what a browser downloads from dist/: raw, gzip -9 and (when the `brotli` module is
installed) brotli -11 sizes of each file and in total. A measurement, not a test."""
import gzip
import pathlib
import sys

try:
    import brotli  # type: ignore
except ImportError:  # pip install brotli for the brotli column
    brotli = None

dist = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
rows, total = [], [0, 0, 0]
# The deploy kit's precompressed copies and host files are not downloads of their own.
KIT_FILES = {"_headers", "_redirects", "staticwebapp.config.json"}
for path in sorted(p for p in dist.iterdir()
                   if p.is_file() and p.suffix not in (".br", ".gz") and p.name not in KIT_FILES):
    data = path.read_bytes()
    sizes = [len(data), len(gzip.compress(data, 9)), len(brotli.compress(data, quality=11)) if brotli else 0]
    total = [t + s for t, s in zip(total, sizes)]
    rows.append((path.name, *sizes))
rows.append(("total", *total))
print(f"{'file':<40} {'raw':>9} {'gzip':>9} {'brotli':>9}")
for name, raw, gz, br in rows:
    print(f"{name:<40} {raw:>9,} {gz:>9,} {(format(br, ',') if brotli else '-'):>9}")
