"""Every text users read goes through the translation machinery, and the Spanish catalogue
has all of it, translated for real.

1. A template, Python module or script of the checked areas with user-facing text outside
   {% translate %}/{% blocktranslate %}, gettext & co. fails (tests/config/translation_scan.py
   says what counts).
2. The catalogues, extracted afresh from the source (makemessages on a copy of the tree, so
   a string nobody extracted counts too), have no untranslated and no fuzzy entry from the
   checked areas, and compile (msgfmt --check: no broken %(name)s).

The checked areas are listed below: every template, product module and script;
when every area is, the lists are simply the product's top-level directories.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.conf import settings

from tests.config.translation_scan import (
    Finding,
    files_of,
    js_findings,
    python_findings,
    template_findings,
)

ROOT = Path(settings.BASE_DIR)
# The areas checked (files, or directories under the repository root).
TEMPLATE_AREAS = ("templates",)
PYTHON_AREAS = ("accounts", "realtime", "config", "school", "clinic", "console", "tenants")
JS_AREAS = ("static",)
CATALOGUE_AREAS = (*TEMPLATE_AREAS, *PYTHON_AREAS, *JS_AREAS)
LANGUAGE = "es_MX"
DOMAINS = ("django", "djangojs")
MAKEMESSAGES_IGNORES = ("--ignore=.venv", "--ignore=node_modules", "--ignore=staticfiles")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- 1. text outside the machinery -----------------------------------------------------------


def test_the_checked_templates_translate_every_text() -> None:
    found = [
        str(finding)
        for path in files_of(ROOT, TEMPLATE_AREAS, ".html")
        for finding in template_findings(path.read_text(), _relative(path))
    ]
    assert found == []


def test_the_checked_python_modules_translate_every_text() -> None:
    found = [
        str(finding)
        for path in files_of(ROOT, PYTHON_AREAS, ".py")
        for finding in python_findings(path.read_text(), _relative(path))
    ]
    assert found == []


def test_the_checked_scripts_translate_every_text() -> None:
    found = [
        str(finding)
        for path in files_of(ROOT, JS_AREAS, ".js")
        for finding in js_findings(path.read_text(), _relative(path))
    ]
    assert found == []


def _texts(findings: list[Finding]) -> list[str]:
    return [finding.text for finding in findings]


def test_the_template_scan_catches_each_kind_of_untranslated_text() -> None:
    # given a template with every kind of slip, and the same texts done right
    bad = """{% load i18n %}<h1>Welcome back</h1>
<input name="q" placeholder="Search notes">
<button type="submit" title="Send it">{% translate "Go" %}</button>
<input type="submit" value="Save"><img alt="The bell" src="/x.png">
<button data-confirm="Cancel {{ invoice }}?" data-kind="school" name="a" value="remove">x</button>
<p>{{ count }} request{{ count|pluralize }} · {{ when|date:"Y-m-d H:i" }}</p>
<td>{{ fee.is_active|yesno:"yes,no" }} {{ name|default:"Nobody yet" }}</td>
{% include "x.html" with label="Read more" %}"""
    good = """{% load i18n %}{# Welcome, reviewers #}<h1>{% translate "Welcome back" %}</h1>
<input name="q" placeholder="{% translate 'Search notes' %}" value="q">
<p>{% blocktranslate count n=count %}{{ n }} request{% plural %}{{ n }} requests
{% endblocktranslate %}</p>
<p>{{ when|date:"SHORT_DATETIME_FORMAT" }} {{ name|default:_("Nobody yet") }}
{{ tenant.kind|default:'' }}</p>
{% comment %}Not shown to anyone{% endcomment %}
<script>const label = "not a template text";</script>
<span>Aviso · {{ user.name }} — 3 / 4</span>{% include "x.html" with label=_("Read more") %}"""
    # when both are scanned, then each slip of the first is found, and nothing of the second
    assert _texts(template_findings(bad, "bad.html")) == [
        "Welcome back",
        'placeholder="Search notes"',
        'title="Send it"',
        'value="Save"',
        'alt="The bell"',
        'data-confirm="Cancel {{…}}?"',
        "x",
        "{{…}} request{{…}} · {{…}}",
        "|pluralize in {{ count|pluralize }} (use blocktranslate count)",
        'literal format |date:"Y-m-d H:i"',
        '|yesno:"yes,no"',
        '|default:"Nobody yet"',
        '"Read more"',
    ]
    assert template_findings(good, "good.html") == []


def test_the_python_scan_catches_each_kind_of_untranslated_text() -> None:
    bad = """
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models

class Kind(models.TextChoices):
    SCHOOL = "school", "School"

class F(forms.Form):
    default_error_messages = {"invalid": "Give a number."}
    name = forms.CharField(label="Your name", help_text="As printed on the card.")
    status = forms.ChoiceField(choices=[("open", "Open"), ("closed", "Closed")])

def view(request, amount):
    messages.success(request, f"Paid {amount}.")
    raise ValidationError({"amount": "Too much."})

def mail(user):
    subject = f"Hello {user}"
    send_mail(subject, "See you soon.", "from@x", [user])
    return HttpResponse("Not here")
"""
    good = '''
from django.utils.translation import gettext as _, gettext_lazy, pgettext_lazy

class Kind(models.TextChoices):
    SCHOOL = "school", pgettext_lazy("kind", "School")

class F(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=3)

def view(request, amount):
    """Docstrings are not text."""
    messages.success(request, _("Paid %(amount)s.") % {"amount": amount})
    raise ValidationError({"amount": _("Too much.")}, code="too_much")

def mail(user):
    logger.info("mailing %s", user)
    send_mail(_("Hello"), _("See you soon."), "from@x", [user])
'''
    assert sorted(_texts(python_findings(bad, "shop/views.py"))) == sorted(
        [
            "'School'",
            "'Give a number.'",
            "'Your name'",
            "'As printed on the card.'",
            "'Open'",
            "'Closed'",
            "f'Paid {amount}.'",
            "'Too much.'",
            "'See you soon.'",
            "f'Hello {user}'",
            "'Not here'",
        ]
    )
    assert python_findings(good, "shop/views.py") == []


def test_the_python_scan_reads_what_notification_renderers_return() -> None:
    renderers = """
def _title(p):
    count = len(p["grades"])
    return "New grade" if count == 1 else f"{count} new grades"

def _url(p):
    return reverse("school:my_grades")

def _body(p):
    return _("%(course)s: %(score)s") % {"course": p["course"], "score": p["score"]}

LABELS = {"when": lambda p: f"due {p['day']}", "total": lambda p: money_text(p["total"])}
"""
    # the same functions elsewhere are not renderers
    assert python_findings(renderers, "shop/helpers.py") == []
    assert sorted(_texts(python_findings(renderers, "shop/notifications.py"))) == [
        "'New grade'",
        "f\"due {p['day']}\"",
        "f'{count} new grades'",
    ]


def test_the_script_scan_catches_text_put_into_the_page() -> None:
    bad = """
      li.textContent = "Nobody else is online.";
      badge.title = 'Live updates paused';
      input.setAttribute("placeholder", "Type here");
      toast("Saved", "", "/x/");
    """
    good = """
      // li.textContent = "a comment";
      li.textContent = gettext("Nobody else is online.");
      li.className = "none";
      toast(interpolate(ngettext("%s more", "%s more", n), [n]), "", "/x/");
      console.warn("aviso: frame dropped");
    """
    assert _texts(js_findings(bad, "x.js")) == [
        "Nobody else is online.",
        "Live updates paused",
        "Type here",
        "Saved",
    ]
    assert js_findings(good, "x.js") == []


# --- 2. the catalogues -------------------------------------------------------------------------


def _in_areas(entry: polib.POEntry, areas: tuple[str, ...]) -> bool:
    return any(path.startswith(areas) for path, _line in entry.occurrences)


def catalogue_problems(po: polib.POFile, areas: tuple[str, ...]) -> list[str]:
    """The entries of `areas` that a reader would see in English: untranslated or fuzzy."""
    problems = []
    for entry in po:
        if entry.obsolete or not _in_areas(entry, areas):
            continue
        where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r} ({where})")
        elif not entry.translated():
            problems.append(f"untranslated: {entry.msgid!r} ({where})")
    if po.metadata_is_fuzzy:
        problems.append("the header is fuzzy (msgfmt would drop its plural forms)")
    return problems


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The catalogues as makemessages leaves them on a copy of the tree: every string of the
    source extracted, new ones empty, changed ones fuzzy."""
    copy = tmp_path_factory.mktemp("tree")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    for domain in DOMAINS:
        subprocess.run(
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                LANGUAGE,
                "-d",
                domain,
                *MAKEMESSAGES_IGNORES,
            ],
            cwd=copy,
            capture_output=True,
            check=True,
            env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
        )
    return {
        domain: copy / "locale" / LANGUAGE / "LC_MESSAGES" / f"{domain}.po" for domain in DOMAINS
    }


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogue_translates_every_string_of_the_checked_areas(
    fresh_catalogues: dict[str, Path], domain: str
) -> None:
    po = polib.pofile(str(fresh_catalogues[domain]))
    assert catalogue_problems(po, CATALOGUE_AREAS) == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_catalogue_compiles_with_every_placeholder_intact(domain: str) -> None:
    path = ROOT / "locale" / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr


def test_the_catalogue_check_catches_untranslated_and_fuzzy_entries() -> None:
    # given a catalogue with a translated, an untranslated and a fuzzy entry of a checked
    # area, and an untranslated one of an area not checked yet
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    po.append(
        polib.POEntry(msgid="Sign out", msgstr="Cerrar sesión", occurrences=[("a/x.html", "1")])
    )
    po.append(polib.POEntry(msgid="Mark read", msgstr="", occurrences=[("a/x.html", "2")]))
    po.append(
        polib.POEntry(
            msgid="Nothing yet.", msgstr="Nada.", flags=["fuzzy"], occurrences=[("a/y.py", "3")]
        )
    )
    po.append(polib.POEntry(msgid="Grades", msgstr="", occurrences=[("b/z.html", "4")]))
    # when it is checked for area a, then exactly the two slips of area a are reported
    assert catalogue_problems(po, ("a/",)) == [
        "untranslated: 'Mark read' (a/x.html:2)",
        "fuzzy: 'Nothing yet.' (a/y.py:3)",
    ]
