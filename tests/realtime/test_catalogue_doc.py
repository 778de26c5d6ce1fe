"""The protocol document lists every notification type the product sends, with exactly its
declared parameters: it is the table `manage.py notification_types` writes."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from realtime.catalogue import registered_types
from realtime.catalogue_doc import END, NOT_DOCUMENTED, START

DOC = Path(settings.BASE_DIR) / "docs" / "realtime-protocol.md"


def _documented_table() -> str:
    text = DOC.read_text()
    assert START in text and END in text, "the catalogue table's markers are missing"
    return text[text.index(START) : text.index(END) + len(END)]


def test_the_protocol_document_holds_the_catalogue_as_declared() -> None:
    # given the catalogue as the code declares it
    out = StringIO()
    call_command("notification_types", stdout=out)
    # then the document's table is exactly that (rerun the command and paste it if not)
    assert _documented_table() == out.getvalue().strip()


def test_every_product_type_and_parameter_is_named_in_the_document() -> None:
    table = _documented_table()
    product_types = {name: kind for name, kind in registered_types().items()}
    for name in NOT_DOCUMENTED:
        product_types.pop(name)
    assert len(product_types) >= 14  # the school's seven and the clinic's seven
    for name, kind in product_types.items():
        (row,) = [line for line in table.splitlines() if line.startswith(f"| `{name}` |")]
        for parameter in sorted(kind.keys()):
            assert f"`{parameter}`" in row, (name, parameter)
