#!/usr/bin/env python3
"""The server's import rules (run by scripts/check-layers.sh, in `make lint`).

Every file under SRC (default server/src) is a node; every path that names another file's module
(`crate::a::b`, `super::x`, `self::y`, `myorgs_server::…` in main.rs, grouped imports expanded) is
an edge to it. Fails, naming the files, when:
- `store/`, `auth.rs`, `telemetry.rs`, `text.rs`, `site/` or `origin.rs` import from `http/` or
  `config.rs`;
- `http/error.rs` imports anything but `auth.rs` and `store/`;
- files import each other in a circle.
Declaring a module (`mod x;`) is not an import; `use super::*` in an inline test module names
the file's own module.
"""

import re
import sys
from pathlib import Path

SRC = Path(sys.argv[1] if len(sys.argv) > 1 else "server/src")

# (files the rule covers, modules they may not import, why)
FORBIDDEN = [
    (("store/", "auth.rs", "telemetry.rs", "text.rs", "site/", "origin.rs"), ("http/", "config.rs"),
     "what the API stands on (the store, sign-in, the logs, the text rules, the site, the hosts) "
     "knows nothing of its HTTP layer or the flags"),
]
# (file, the only modules it may import besides itself)
ONLY = [("http/error.rs", ("auth.rs", "store/"))]


def module_of(path):
    """The module path of a file: lib.rs -> [], a/mod.rs -> [a], a/b.rs -> [a, b]."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts in (["lib"], ["main"]):
        return []
    if parts[-1] == "mod":
        parts.pop()
    return parts


def file_of(module):
    """The file of a module path, or None when no file holds it."""
    if not module:
        return "lib.rs"
    name = "/".join(module)
    for candidate in (name + ".rs", name + "/mod.rs"):
        if (SRC / candidate).is_file():
            return candidate
    return None


def expand(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    tree = re.sub(r"\s+", "", tree)
    depth, start = 0, None
    for index, char in enumerate(tree):
        if char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                prefix, inner, rest = tree[:start], tree[start + 1:index], tree[index + 1:]
                items, depth2, begin = [], 0, 0
                for position, c in enumerate(inner + ","):
                    if c in "{":
                        depth2 += 1
                    elif c == "}":
                        depth2 -= 1
                    elif c == "," and depth2 == 0:
                        if inner[begin:position]:
                            items.append(inner[begin:position])
                        begin = position + 1
                return [path for item in items for path in expand(prefix + item + rest)]
    return [tree]


def paths(text):
    """Every module path the file names, each with whether it is indented (in an inline module
    or a function body, where `super` is taken to be the file's own module's)."""
    text = re.sub(r"//[^\n]*", "", text)
    found = []
    use = r"(?m)^([ \t]*)(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);"
    for match in re.finditer(use, text):
        tree = re.sub(r"\s+as\s+\w+", "", match.group(2))
        found.extend((path, bool(match.group(1))) for path in expand(tree))
    for line in re.sub(use, "", text).splitlines():
        indented = line[:1].isspace()
        for path in re.findall(r"\b(?:crate|super|self|myorgs_server)(?:::\w+)+", line):
            found.append((path, indented))
    return found


def target(module, path, indented, in_main):
    """The file a path names, resolved from `module`, or None (an outside crate, itself)."""
    segments = path.split("::")
    head = segments.pop(0)
    if head == "crate" or (head == "myorgs_server" and in_main):
        base = []
    elif head == "self":
        base = list(module)
    elif head == "super":
        # In an inline module (`mod tests { use super::*; }`), `super` is the file's module.
        base = list(module) if indented else list(module[:-1])
        while segments and segments[0] == "super":
            segments.pop(0)
            base = base[:-1]
    else:
        return None
    best = file_of(base)
    for segment in segments:
        if segment in ("*", "self"):
            break
        base = base + [segment]
        candidate = file_of(base)
        if candidate is None:
            break
        best = candidate
    return best


def covered(name, prefixes):
    return any(name == p or (p.endswith("/") and name.startswith(p)) for p in prefixes)


def main():
    graph = {}
    for path in sorted(SRC.rglob("*.rs")):
        name = path.relative_to(SRC).as_posix()
        in_main = name == "main.rs" or name.startswith("bin/")
        module = module_of(path)
        edges = graph.setdefault(name, set())
        for found, indented in paths(path.read_text()):
            other = target(module, found, indented, in_main)
            if other and other != name:
                edges.add(other)
    failed = False
    for files, forbidden, why in FORBIDDEN:
        for name, edges in graph.items():
            if covered(name, files):
                for other in sorted(edges):
                    if covered(other, forbidden):
                        print(f"layers: server/src/{name} imports server/src/{other}: {why}",
                              file=sys.stderr)
                        failed = True
    for name, allowed in ONLY:
        for other in sorted(graph.get(name, ())):
            if not covered(other, allowed):
                print(f"layers: server/src/{name} may import only {', '.join(allowed)}, "
                      f"not server/src/{other}", file=sys.stderr)
                failed = True
    # Circles: a depth-first search that reports each back edge's loop once.
    state, stack = {}, []

    def visit(name):
        nonlocal failed
        state[name] = "open"
        stack.append(name)
        for other in sorted(graph.get(name, ())):
            if state.get(other) == "open":
                loop = stack[stack.index(other):] + [other]
                print("layers: an import circle in server/src: " + " -> ".join(loop),
                      file=sys.stderr)
                failed = True
            elif other not in state:
                visit(other)
        stack.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
