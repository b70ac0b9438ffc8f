"""Check that budgetkg's data flows one way (docs/architecture.md).

Layers, lowest first: `ontology` (the vocabulary), `kg` (reading, extraction, graph,
store), `search` (chunks and indexes over the store), `api` (the service and the command
line). A module may import its own layer and the layers below it, never one above; `data`
(the synthetic generator) imports no other layer, so its ground truth cannot lean on the
code it checks. Every import counts, including those inside functions: a lazy import is a
dependency all the same. Module-level import cycles are reported too (strongly connected
components of the module graph), whatever the layers.

Usage: python tools/check_layers.py [ROOT]   — prints each violation, exits 1 if any.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LAYERS = {"ontology": 0, "kg": 1, "search": 2, "api": 3}
ISOLATED = {"data"}  # imports no other layer
# ... but for the domain's words: the generator prints the labels extraction reads, from the one
# module that spells them (words and the ontology terms they name; no extraction code).
SHARED_WORDS = {"kg.vocab"}
PACKAGES = set(LAYERS) | ISOLATED


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path, path: Path, name: str) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the file, resolved to project modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            # `from pkg import sub` names a module when sub is one
            for a in node.names:
                sub = f"{mod}.{a.name}"
                out.append((sub if _is_module(root, sub) else mod, node.lineno))
    return [(m, ln) for m, ln in out if m.split(".")[0] in PACKAGES]


def _is_module(root: Path, dotted: str) -> bool:
    p = root.joinpath(*dotted.split("."))
    return p.with_suffix(".py").exists() or (p / "__init__.py").exists()


def _resolve(root: Path, dotted: str) -> str | None:
    """The project module a dotted name lives in (a name inside a module resolves to it)."""
    parts = dotted.split(".")
    while parts:
        if _is_module(root, ".".join(parts)):
            return ".".join(parts)
        parts.pop()
    return None


def graph(root: Path) -> dict[str, dict[str, int]]:
    g: dict[str, dict[str, int]] = {}
    for pkg in sorted(PACKAGES):
        for path in sorted((root / pkg).rglob("*.py")):
            name = module_name(root, path)
            edges = g.setdefault(name, {})
            for mod, line in imports(root, path, name):
                target = _resolve(root, mod)
                if target and target != name and not name.startswith(target + ".") and target.split(".")[0] in PACKAGES:
                    # importing a package runs its __init__ only: an edge to the package module
                    edges.setdefault(target, line)
    return g


def upward(g: dict[str, dict[str, int]]) -> list[str]:
    bad = []
    for src, edges in g.items():
        top = src.split(".")[0]
        for dst, line in edges.items():
            dtop = dst.split(".")[0]
            if top == dtop:
                continue
            if top in ISOLATED and dst in SHARED_WORDS:
                continue
            if top in ISOLATED or dtop in ISOLATED:
                bad.append(f"{src}:{line} imports {dst} ({top} and {dtop} must stay apart)")
            elif LAYERS[dtop] > LAYERS[top]:
                bad.append(f"{src}:{line} imports {dst} (upward: {top} sits below {dtop})")
    return bad


def cycles(g: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively; those with several modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on, stack, out = set(), [], []
    counter = 0
    for start in g:
        if start in index:
            continue
        work = [(start, iter(sorted(g.get(start, {}))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            node, it = work[-1]
            for nxt in it:
                if nxt not in g:
                    continue
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(g.get(nxt, {})))))
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        m = stack.pop()
                        on.discard(m)
                        comp.append(m)
                        if m == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
    return out


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parents[1])
    g = graph(root)
    problems = upward(g)
    for comp in cycles(g):
        problems.append("import cycle: " + " -> ".join(comp))
    for p in problems:
        print(p)
    print(f"layers: {len(g)} modules, {sum(len(e) for e in g.values())} imports, {len(problems)} problems",
          file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
