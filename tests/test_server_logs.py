"""The check that fails a run on a traceback in a test server's log (testing/server_logs.py,
used by tests/conftest.py), on log files of its own."""

from pathlib import Path

from testing.server_logs import Ledger

TRACEBACK = (
    "2026-12-02 ERROR django.request Internal Server Error: /clinic/\n"
    "Traceback (most recent call last):\n"
    '  File "x.py", line 1, in view\n'
    "ValueError: boom\n"
)


def _append(path: Path, text: str) -> None:
    with path.open("a") as log:
        log.write(text)


def test_a_traceback_a_server_logs_during_a_test_is_found(tmp_path: Path) -> None:
    # given a server log with a harmless start
    log = tmp_path / "daphne-20001.log"
    _append(log, "Listening on TCP address 127.0.0.1:20001\n")
    ledger = Ledger(directory=tmp_path)
    before = ledger.sizes()
    # when a request fails inside the server during a test
    _append(log, '127.0.0.1 - - "GET /clinic/" 200 12\n' + TRACEBACK)
    # then the test's check names the failure, and so does the end of the run
    assert ledger.tracebacks_since(before) == [
        "daphne-20001.log: 2026-12-02 ERROR django.request Internal Server Error: /clinic/"
    ]
    assert len(ledger.unexplained_tracebacks()) == 1


def test_only_the_bytes_of_an_exempt_test_are_allowed(tmp_path: Path) -> None:
    # given a run during which one test made a fault server log a traceback on purpose
    log = tmp_path / "faults-daphne-20002.log"
    log.write_text("started\n")
    ledger = Ledger(directory=tmp_path)
    before = ledger.sizes()
    _append(log, TRACEBACK)
    ledger.allow_since(before)
    assert ledger.unexplained_tracebacks() == []
    # when a traceback is logged after that test (a server stopping, another test)
    _append(log, "stopping\n" + TRACEBACK)
    # then the end of the run still finds it; other logs (Celery's) are not read
    (tmp_path / "faults-celery-20003.log").write_text(TRACEBACK)
    assert len(ledger.unexplained_tracebacks()) == 1
