#!/usr/bin/env python3
"""Prints what a browser downloads from dist/: the raw, gzip and brotli size of each file and in
total, as a CDN sends them. The compressed sizes are those of the `NAME.gz` and `NAME.br` copies the
deploy kit writes (`myorgs-deploy-kit --dist dist`, run by `make build` and `make e2e`): one
compressor, one truth, and nothing to install (the standard library only, so Debian's python3
will do). A file the kit leaves without a copy (compression wouldn't make it smaller, or it is
`config.json`, which operators edit) is sent as it is and counts at its raw size.

With `--budget-kb N` it is also a check: it fails (exit 1) when the brotli total is over N KB
(1,000 bytes), and, like the table, when the kit hasn't run on this build or a copy is older than
its file (the numbers would be someone else's)."""
import pathlib
import sys

# The deploy kit's host files: not downloads of their own, and the proof it has run on dist/.
KIT_FILES = ("_headers", "_redirects", "staticwebapp.config.json")


def compressed_size(path: pathlib.Path, suffix: str) -> int:
    """The size of the precompressed copy the kit wrote, or the file's own size without one."""
    copy = path.with_name(f"{path.name}.{suffix}")
    if not copy.is_file():
        return path.stat().st_size
    if copy.stat().st_mtime < path.stat().st_mtime:
        sys.exit(f"size check: {copy} is older than {path.name}: run the deploy kit again "
                 f"(make build, or target/debug/myorgs-deploy-kit --dist {path.parent})")
    return copy.stat().st_size


def main(argv: list) -> None:
    budget_kb = None
    if "--budget-kb" in argv:
        at = argv.index("--budget-kb")
        try:
            budget_kb = float(argv[at + 1])
        except (IndexError, ValueError):
            sys.exit("usage: scripts/bundle-size.py [DIST] [--budget-kb N]")
        del argv[at:at + 2]
    dist = pathlib.Path(argv[0] if argv else "dist")
    if not dist.is_dir():
        sys.exit(f"size check: {dist} doesn't exist: build it first (make build)")
    if not (dist / KIT_FILES[0]).is_file():
        sys.exit(f"size check: the deploy kit hasn't run on {dist} (no {KIT_FILES[0]}): run "
                 f"make build, or target/debug/myorgs-deploy-kit --dist {dist}")

    rows, total = [], [0, 0, 0]
    for path in sorted(p for p in dist.iterdir()
                       if p.is_file() and p.suffix not in (".br", ".gz") and p.name not in KIT_FILES):
        sizes = [path.stat().st_size, compressed_size(path, "gz"), compressed_size(path, "br")]
        total = [t + s for t, s in zip(total, sizes)]
        rows.append((path.name, *sizes))
    rows.append(("total", *total))
    print(f"{'file':<40} {'raw':>9} {'gzip':>9} {'brotli':>9}")
    for name, raw, gz, br in rows:
        print(f"{name:<40} {raw:>9,} {gz:>9,} {br:>9,}")

    if budget_kb is not None:
        total_kb = total[2] / 1000
        if total_kb > budget_kb:
            sys.exit(f"size check: FAILED: the page downloads {total_kb:.1f} KB (brotli), over the "
                     f"budget of {budget_kb:g} KB by {total_kb - budget_kb:.1f} KB. See what grew "
                     f"with `make size` and twiggy (docs/performance.md), or raise SIZE_BUDGET_KB "
                     f"in the Makefile with the reason.")
        print(f"size check: {total_kb:.1f} KB of {budget_kb:g} KB (brotli)")


if __name__ == "__main__":
    main(sys.argv[1:])
