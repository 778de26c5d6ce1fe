"""Tracebacks in the logs of the Daphne servers a test run starts (var/daphne-*.log from
testing.servers.daphne, var/faults-daphne-*.log from tests/faults/procs.py).

A traceback there is a request or a socket that failed inside the server. tests/conftest.py
checks the log bytes each test wrote, and at the end of the run everything written outside
any test (a server's start and stop), so any of them fails the run unless the test that
causes it on purpose says so (@pytest.mark.server_tracebacks(reason=...))."""

from dataclasses import dataclass, field
from pathlib import Path

from testing.servers import LOGS

SERVER_LOG_PATTERNS = ("daphne-*.log", "faults-daphne-*.log")
MARKER = "Traceback (most recent call last)"


def log_sizes(directory: Path = LOGS) -> dict[Path, int]:
    """Every server log's size now."""
    return {
        path: path.stat().st_size
        for pattern in SERVER_LOG_PATTERNS
        for path in directory.glob(pattern)
    }


def tracebacks_in(path: Path, start: int, end: int) -> list[str]:
    """The line before each traceback (what failed) in bytes start..end of `path`."""
    with path.open("rb") as log:
        log.seek(start)
        lines = log.read(end - start).decode(errors="replace").splitlines()
    return [
        f"{path.name}: {lines[i - 1] if i else line}"
        for i, line in enumerate(lines)
        if MARKER in line
    ]


@dataclass
class Ledger:
    """Which bytes of the server logs this run wrote, and which a test was allowed to fill
    with tracebacks."""

    directory: Path = LOGS
    at_start: dict[Path, int] = field(default_factory=dict)
    exempt: list[tuple[Path, int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.at_start = self.at_start or log_sizes(self.directory)

    def sizes(self) -> dict[Path, int]:
        return log_sizes(self.directory)

    def written_since(self, before: dict[Path, int]) -> list[tuple[Path, int, int]]:
        now = log_sizes(self.directory)
        return [
            (path, before.get(path, 0), size)
            for path, size in now.items()
            if size > before.get(path, 0)
        ]

    def tracebacks_since(self, before: dict[Path, int]) -> list[str]:
        found: list[str] = []
        for path, start, end in self.written_since(before):
            found += tracebacks_in(path, start, end)
        return found

    def allow_since(self, before: dict[Path, int]) -> None:
        self.exempt += self.written_since(before)

    def unexplained_tracebacks(self) -> list[str]:
        """Tracebacks of the whole run outside the bytes written during exempt tests."""
        found: list[str] = []
        for path, start, end in self.written_since(self.at_start):
            cursor = start
            for _, a, b in sorted(e for e in self.exempt if e[0] == path):
                if a > cursor:
                    found += tracebacks_in(path, cursor, min(a, end))
                cursor = max(cursor, b)
            if cursor < end:
                found += tracebacks_in(path, cursor, end)
        return found
