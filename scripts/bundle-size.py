#!/usr/bin/env python3
"""Prints what a browser downloads from dist/: raw, gzip -9 and (when the `brotli` module is
installed) brotli -11 sizes of each file and in total. With `--budget-kb N` it is also a check: it
fails (exit 1) when the brotli total is over N KB (1,000 bytes), or when brotli is missing."""
import gzip
import pathlib
import sys

try:
    import brotli  # type: ignore
except ImportError:  # pip install brotli for the brotli column
    brotli = None

args = sys.argv[1:]
budget_kb = None
if "--budget-kb" in args:
    at = args.index("--budget-kb")
    budget_kb = float(args[at + 1])
    del args[at:at + 2]
dist = pathlib.Path(args[0] if args else "dist")
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

if budget_kb is not None:
    if brotli is None:
        sys.exit("size check: the brotli module is missing (pip install brotli, or Debian's "
                 "python3-brotli), so the budget can't be checked")
    total_kb = total[2] / 1000
    if total_kb > budget_kb:
        sys.exit(f"size check: FAILED: the page downloads {total_kb:.1f} KB (brotli), over the "
                 f"budget of {budget_kb:g} KB by {total_kb - budget_kb:.1f} KB. See what grew with "
                 f"`make size` and twiggy (docs/performance.md), or raise SIZE_BUDGET_KB in the "
                 f"Makefile with the reason.")
    print(f"size check: {total_kb:.1f} KB of {budget_kb:g} KB (brotli)")
