"""The layering of the product tree, checked on its source: selectors are a sub-layer of
services (HackSoft's styleguide), so no app's selectors and services may import each other
round in a circle, and `accounts` sits below the tenant registry and the socket layer, so it
never imports `tenants` or `realtime` (callers pass it plain values; realtime hooks itself
onto logout with a receiver).

Imports are read with `ast`, at module level and inside functions alike: an import moved into
a function body to dodge a circular-import error is still a circle."""

import ast
from collections import deque
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Top-level packages that are not the product (they may import anything).
NOT_PRODUCT = frozenset({"tests", "bench"})
# What accounts must never import, and why: see the module docstring.
BELOW_ACCOUNTS = ("tenants", "realtime")
LAYERS = ("selectors", "services")

Graph = dict[str, set[str]]


def _product_modules(root: Path) -> dict[str, Path]:
    """{dotted module name: file} of every module in the product packages under `root`."""
    modules: dict[str, Path] = {}
    for package in sorted(root.iterdir()):
        if package.name in NOT_PRODUCT or not (package / "__init__.py").is_file():
            continue
        for path in sorted(package.rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _imports(module: str, path: Path) -> Iterator[tuple[str, list[str]]]:
    """Each import statement of `module`, anywhere in its body, as (the module it names,
    names that may be its submodules): `from X import y` gives (X, [X.y]). Relative imports
    are made absolute."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            yield base, [f"{base}.{alias.name}" for alias in node.names]


def import_graph(root: Path) -> Graph:
    """{module: modules of the product tree it imports}. Importing a submodule runs its
    packages' __init__ first, so each module also depends on its parent packages."""
    modules = _product_modules(root)
    graph: Graph = {}
    for module, path in modules.items():
        targets: set[str] = set()
        for base, maybe_submodules in _imports(module, path):
            parts = base.split(".")
            # `import a.b.c` imports a, a.b and a.b.c.
            targets.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
            targets.update(maybe_submodules)
        parts = module.split(".")
        targets.update(".".join(parts[:i]) for i in range(1, len(parts)))
        graph[module] = {target for target in targets & modules.keys() if target != module}
    return graph


def _path(graph: Graph, start: str, goals: set[str]) -> list[str] | None:
    """The shortest import chain from `start` to any of `goals`, or None."""
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here in goals and here != start:
            chain = [here]
            while (previous := came_from[chain[-1]]) is not None:
                chain.append(previous)
            return chain[::-1]
        for there in sorted(graph.get(here, ())):
            if there not in came_from:
                came_from[there] = here
                queue.append(there)
    return None


def _layer(graph: Graph, app: str, layer: str) -> set[str]:
    """`<app>.<layer>` and, when it is a package, its submodules."""
    name = f"{app}.{layer}"
    return {m for m in graph if m == name or m.startswith(name + ".")}


def selector_service_circles(root: Path) -> list[str]:
    """Each app whose selectors import its services (directly or through other modules) while
    its services import its selectors, with one chain each way."""
    graph = import_graph(root)
    found = []
    for app in sorted({module.split(".")[0] for module in graph}):
        selectors, services = (_layer(graph, app, layer) for layer in LAYERS)
        down = next(filter(None, (_path(graph, s, services) for s in sorted(selectors))), None)
        up = next(filter(None, (_path(graph, s, selectors) for s in sorted(services))), None)
        if down and up:
            found.append(f"{app}: {' -> '.join(down)} and {' -> '.join(up)}")
    return found


def accounts_imports_from_above(root: Path) -> list[str]:
    """Each import in the accounts package of a module of tenants or realtime (direct ones:
    accounts' own code must not name them)."""
    found = []
    for module, path in _product_modules(root).items():
        if module.split(".")[0] != "accounts":
            continue
        for name, _ in _imports(module, path):
            if name.split(".")[0] in BELOW_ACCOUNTS:
                found.append(f"{module} imports {name}")
    return sorted(set(found))


def test_the_scan_reads_the_product_tree() -> None:
    # given the repository, when its import graph is read
    graph = import_graph(ROOT)
    # then it holds every product app's layers and the imports between them
    assert {"accounts.services", "realtime.selectors", "realtime.services"} <= graph.keys()
    assert "realtime.selectors" in graph["realtime.socket_queries"]
    assert not any(module.split(".")[0] in NOT_PRODUCT for module in graph)


def test_no_app_has_a_circle_between_its_selectors_and_services() -> None:
    assert selector_service_circles(ROOT) == []


def test_accounts_never_imports_tenants_or_realtime() -> None:
    assert accounts_imports_from_above(ROOT) == []


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_scan_would_catch_each_violation(tmp_path: Path) -> None:
    # given a small tree with both faults, each hidden the way real code hides it: a shop
    # whose selectors reach its services package through a helper module, while a service
    # imports the selectors inside a function body (relative import); and an accounts
    # package that imports the tenant registry and the socket layer inside functions
    _write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/selectors.py": "from shop import rows\n",
            "shop/rows.py": "def f():\n    from shop.services.orders import g\n",
            "shop/services/__init__.py": "from . import orders\n",
            "shop/services/orders.py": "def g():\n    from ..selectors import f\n",
            "accounts/__init__.py": "",
            "accounts/services.py": (
                "import os\n\ndef invite():\n    from tenants.selectors import base_url\n"
                "    import realtime.sessions\n"
            ),
        },
    )
    # when the scan runs on it
    circles = selector_service_circles(tmp_path)
    from_above = accounts_imports_from_above(tmp_path)
    # then both are reported, with the chains that make the circle
    assert circles == [
        "shop: shop.selectors -> shop.rows -> shop.services"
        " and shop.services -> shop.services.orders -> shop.selectors"
    ]
    assert from_above == [
        "accounts.services imports realtime.sessions",
        "accounts.services imports tenants.selectors",
    ]


def test_the_scan_passes_a_tree_layered_the_right_way(tmp_path: Path) -> None:
    # given services that read through selectors, selectors that read shared row shapes, and
    # an accounts package that imports only itself
    _write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/payloads.py": "ROW = dict\n",
            "shop/selectors.py": "from shop.payloads import ROW\n",
            "shop/services/__init__.py": "",
            "shop/services/orders.py": "from shop import payloads, selectors\n",
            "accounts/__init__.py": "",
            "accounts/services.py": "from accounts.models import User\n",
            "accounts/models.py": "",
        },
    )
    # when the scan runs on it, then it reports nothing
    assert selector_service_circles(tmp_path) == []
    assert accounts_imports_from_above(tmp_path) == []
