"""The tenant-safety rules of realtime code, checked on the source: every DB call from async
code goes through realtime.tenant_db, which enters the tenant schema itself."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REALTIME = ROOT / "realtime"
# The operators' socket lives in the console app; its async code follows the same rules.
OPERATORS_SOCKET = [ROOT / "console" / "consumers.py", ROOT / "console" / "routing.py"]
ASYNC_ORM = {
    "aget",
    "afirst",
    "alast",
    "acreate",
    "aupdate",
    "adelete",
    "asave",
    "acount",
    "aexists",
    "aiterator",
    "aget_or_create",
    "aupdate_or_create",
    "abulk_create",
    "abulk_update",
    "ain_bulk",
    "aaggregate",
    "alatest",
    "aearliest",
    "acontains",
    "aexplain",
    "arefresh_from_db",
}
SCHEMA_SWITCHES = {"set_tenant", "set_schema", "set_schema_to_public"}
THREAD_HOPS = {"database_sync_to_async", "sync_to_async"}


def _modules() -> list[Path]:
    realtime = [p for p in REALTIME.rglob("*.py") if "migrations" not in p.parts]
    return sorted([*realtime, *OPERATORS_SOCKET])


def _violations(paths: list[Path] | None = None) -> list[str]:
    """The breaches in `paths` (default: the modules the rules cover)."""
    found = []
    for path in _modules() if paths is None else paths:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Attribute) and node.attr in ASYNC_ORM | SCHEMA_SWITCHES:
                found.append(f"{where} uses .{node.attr}")
            if isinstance(node, ast.AsyncFor):
                found.append(f"{where} uses async for (async ORM iteration)")
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.Name):
                names = [node.id]
            if path.name != "tenant_db.py" and THREAD_HOPS & set(names):
                found.append(f"{where} hops threads outside tenant_db")
    return found


def test_realtime_code_never_uses_the_async_orm_or_switches_schema_itself() -> None:
    assert _modules(), "no realtime source found"
    assert _violations() == []


def test_the_scan_would_catch_a_violation(tmp_path: Path) -> None:
    # given a realtime-like tree where a consumer breaks every rule, and tenant_db.py (the one
    # module allowed to hop threads) does what it is there for
    (tmp_path / "consumer.py").write_text(
        "from asgiref.sync import sync_to_async\n"
        "async def f(q, connection):\n"
        "    await q.aget(pk=1)\n"
        "    async for x in q:\n"
        "        pass\n"
        "    connection.set_schema_to_public()\n"
    )
    (tmp_path / "tenant_db.py").write_text("from asgiref.sync import sync_to_async\n")
    # when the scan runs on it
    found = sorted(_violations(sorted(tmp_path.glob("*.py"))))
    # then each breach in the consumer is reported, and nothing else
    assert found == [
        "consumer.py:1 hops threads outside tenant_db",
        "consumer.py:3 uses .aget",
        "consumer.py:4 uses async for (async ORM iteration)",
        "consumer.py:6 uses .set_schema_to_public",
    ]
