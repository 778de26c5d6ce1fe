"""Selectors are a layer under services (HackSoft): services import selectors at module level,
selectors never import services, and nothing dodges a circle with a function-level import."""

import ast
from pathlib import Path

from django.conf import settings

SCHOOL = Path(settings.BASE_DIR) / "school"


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, inside a function?) for every import of a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, nested) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module:
                found.append((child.module, nested))
                found.extend((f"{child.module}.{alias.name}", nested) for alias in child.names)
            visit(child, inner)

    visit(tree, False)
    return found


def test_selectors_and_payloads_never_import_services() -> None:
    for name in ("selectors.py", "payloads.py", "states.py", "notifications.py"):
        imported = [module for module, _ in imports(SCHOOL / name)]
        assert not [m for m in imported if m.startswith("school.services")], name


def test_services_import_selectors_only_at_module_level() -> None:
    for path in sorted((SCHOOL / "services").glob("*.py")):
        late = [m for m, nested in imports(path) if nested and m.startswith("school.")]
        assert late == [], f"{path.name} imports {late} inside a function"


def test_the_scan_sees_a_function_level_import(tmp_path: Path) -> None:
    # given a service module with the old dodge added: a selector imported inside a function
    source = (SCHOOL / "services" / "invoices.py").read_text()
    sample = tmp_path / "invoices.py"
    sample.write_text(source + "\n\ndef _late() -> None:\n    from school import selectors\n")
    # then the scan reports it as a function-level import (and the real module has none)
    assert ("school.selectors", True) in imports(sample)
    assert ("school.selectors", True) not in imports(SCHOOL / "services" / "invoices.py")
