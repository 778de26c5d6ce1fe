"""Scanners for user-facing text outside the translation machinery (tests/config/
test_translations.py runs them over the product's areas, and over small bad examples).

* Templates are read with Django's own Lexer: text inside {% translate %} and between
  {% blocktranslate %} … {% endblocktranslate %} is translated; every other text node is parsed
  as HTML, and a visible word in it (or in a placeholder, title, aria-label, alt, a submit
  input's value, or a data-* attribute that reads as a sentence) is a finding. Variables,
  tags, scripts, styles and comments are not text. String literals that templates print
  (|default:"…", |yesno:"…", {% firstof … "…" %}, {% include … with x="…" %}) are findings
  unless written _("…"); so are |pluralize (plurals are {% blocktranslate count %}) and a
  literal date format (|date:"Y-m-d": formats are the language's, "SHORT_DATE_FORMAT" & co.).
* Python is read with `ast`: string literals (and f-strings) given to what users read —
  messages.*, ValidationError/PermissionDenied, form and model `label`, `help_text`,
  `verbose_name`, `empty_label`, `error_messages`/`default_error_messages`, choices labels
  (TextChoices members and `choices=[(value, "Label")]`), HttpResponse bodies, send_mail's
  subject and body, and whatever a renderer in a `notifications.py` returns — are findings
  unless wrapped in gettext & co.
* JavaScript (a light check): literal text put into the page (textContent, title, placeholder,
  aria-label, toast(…)) instead of gettext(…).

A literal counts as text when it has a letter and reads like words (a space, a final period,
or a capital first letter): "school", "amount" and other keys and codes are not text.
"""

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

# Words that are the same in every language (names of the product).
# Read the same in every language: the product's name, and the "p" of the monitor's
# percentile headings (p50, p95, p99).
PROPER_NAMES = frozenset({"Aviso", "p"})

# --- templates -------------------------------------------------------------------------------

VAR, TAG, TRANSLATED = "\x00", "\x01", "\x02"
USER_FACING_ATTRIBUTES = frozenset({"placeholder", "title", "aria-label", "alt"})
BUTTON_INPUT_TYPES = frozenset({"submit", "button", "reset"})
WORD = re.compile(r"[^\W\d_]+")
LITERAL = re.compile(r"""(_\()?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
FORMAT_NAME = re.compile(r"^[A-Z_]+$")
# Filters whose string argument is printed.
PRINTED_ARGUMENT = re.compile(r"""\|\s*(default|default_if_none|yesno|add)\s*:\s*(_\()?["']""")
DATE_ARGUMENT = re.compile(r"""\|\s*(date|time)\s*:\s*["']([^"']*)["']""")


@dataclass(frozen=True)
class Finding:
    where: str  # path:line
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text!r}"


def _unmasked(text: str) -> str:
    return text.replace(VAR, "{}").replace(TAG, "{}").replace(TRANSLATED, "")


def _words(text: str) -> list[str]:
    return [
        w for w in WORD.findall(text.replace(VAR, " ").replace(TAG, " ")) if w not in PROPER_NAMES
    ]


class _TextFinder(HTMLParser):
    """Visible words of masked template text (variables, tags and translated text replaced by
    markers that are not words)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            # (a <button>'s value is sent, not shown; an <input type=submit>'s is its label;
            # data-* texts are what scripts show, e.g. a confirm() question)
            facing = (
                name in USER_FACING_ATTRIBUTES
                or (name == "value" and tag == "input" and values.get("type") in BUTTON_INPUT_TYPES)
                or (name.startswith("data-") and _reads_as_text(_unmasked(value or "")))
            )
            if facing and value and _words(value):
                shown = value.replace(VAR, "{{…}}").replace(TAG, "{%…%}")
                self.found.append((self.getpos()[0], f'{name}="{shown}"'))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _words(data):
            shown = data.replace(VAR, "{{…}}").replace(TAG, "{%…%}").replace(TRANSLATED, "…")
            self.found.append((self.getpos()[0], " ".join(shown.split())))


def _literal_findings(contents: str) -> list[str]:
    """Printed string literals, |pluralize and literal date formats in one variable or tag."""
    found = []
    if re.search(r"\|\s*pluralize\b", contents):
        found.append(f"|pluralize in {{{{ {contents} }}}} (use blocktranslate count)")
    for match in DATE_ARGUMENT.finditer(contents):
        if not FORMAT_NAME.match(match.group(2)):
            found.append(f'literal format |{match.group(1)}:"{match.group(2)}"')
    for match in PRINTED_ARGUMENT.finditer(contents):
        rest = contents[match.end() - 1 :]
        literal = LITERAL.match(rest)
        # (a template's file name, e.g. |add:"/_nav.html" to pick a kind's navigation, is no text)
        is_file = literal is not None and literal.group(2)[1:-1].endswith(".html")
        if match.group(2) is None and literal and not is_file and _words(literal.group(2)[1:-1]):
            found.append(f"|{match.group(1)}:{literal.group(2)}")
    return found


def _tag_literals(contents: str) -> list[str]:
    """String literals printed by {% firstof %}, {% with %} and {% include … with %}."""
    name, _, rest = contents.partition(" ")
    if name == "include":
        rest = rest.partition(" with ")[2] if " with " in rest else ""
    elif name not in ("firstof", "with"):
        return []
    return [
        literal
        for translated, literal in LITERAL.findall(rest)
        if not translated and _reads_as_text(literal[1:-1])
    ]


def template_findings(source: str, name: str) -> list[Finding]:
    """Every user-facing text of one template that is not translated."""
    masked: list[str] = []
    extra: list[Finding] = []
    depth = 0  # inside blocktranslate, or comment
    skipping = None
    for token in Lexer(source).tokenize():
        where = f"{name}:{token.lineno}"
        if token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.BLOCK:
            tag = token.contents.split()[0] if token.contents else ""
            if skipping:
                if tag == skipping:
                    skipping = None
                continue
            if tag in ("blocktranslate", "blocktrans"):
                depth += 1
                masked.append(TRANSLATED)
                extra.extend(Finding(where, f) for f in _literal_findings(token.contents))
                continue
            if tag in ("endblocktranslate", "endblocktrans"):
                depth -= 1
                continue
            if tag == "comment":
                skipping = "endcomment"
                continue
            if tag in ("translate", "trans"):
                masked.append(TRANSLATED)
                continue
            if not depth:
                extra.extend(Finding(where, f) for f in _tag_literals(token.contents))
                extra.extend(Finding(where, f) for f in _literal_findings(token.contents))
            masked.append(TAG)
            continue
        if skipping:
            continue
        if token.token_type == TokenType.VAR:
            extra.extend(Finding(where, f) for f in _literal_findings(token.contents))
            masked.append(VAR if not depth else TRANSLATED)
            continue
        # text
        if depth:
            masked.append(TRANSLATED)
        else:
            masked.append(token.contents)
    finder = _TextFinder()
    finder.feed("".join(masked))
    finder.close()
    return [Finding(f"{name}:{line}", text) for line, text in finder.found] + extra


# --- python ----------------------------------------------------------------------------------

GETTEXT = frozenset(
    {
        "_",
        "gettext",
        "gettext_lazy",
        "gettext_noop",
        "ngettext",
        "ngettext_lazy",
        "pgettext",
        "pgettext_lazy",
        "npgettext",
        "npgettext_lazy",
        "format_lazy",
    }
)
MESSAGE_LEVELS = frozenset({"debug", "info", "success", "warning", "error", "add_message"})
RAISED_TO_USERS = frozenset({"ValidationError", "PermissionDenied", "OnboardingError"})
RESPONSES = frozenset(
    {"HttpResponse", "HttpResponseBadRequest", "HttpResponseForbidden", "HttpResponseNotFound"}
)
TEXT_KEYWORDS = frozenset(
    {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label", "error_messages"}
)
CHOICES_BASES = frozenset({"TextChoices", "IntegerChoices", "Choices"})


def _reads_as_text(text: str) -> bool:
    words = [w for w in WORD.findall(text) if w not in PROPER_NAMES]
    if not words:
        return False
    stripped = text.strip()
    return (
        " " in stripped
        or stripped.endswith(".")
        or bool(re.match(r"[A-ZÁÉÍÓÚÑ][a-záéíóúñ]", stripped))
    )


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _untranslated(node: ast.AST | None, *, keys: bool = False) -> Iterator[ast.AST]:
    """String constants (f-string parts included) in `node` that read as text and are not
    inside a gettext call; dict keys are names, not text (unless `keys`)."""
    if node is None:
        return
    if isinstance(node, ast.Call) and _name(node.func) in GETTEXT:
        return
    if isinstance(node, ast.Call) and _name(node.func) in ("reverse", "getLogger"):
        return
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str) and _reads_as_text(node.value):
            yield node
        return
    if isinstance(node, ast.JoinedStr):
        text = "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
        if _reads_as_text(text):
            yield node
        return
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if keys:
                yield from _untranslated(key)
            yield from _untranslated(value)
        return
    if isinstance(node, ast.Subscript):  # params["name"]: a key
        yield from _untranslated(node.value)
        return
    for child in ast.iter_child_nodes(node):
        yield from _untranslated(child)


def _assigned_in(function: ast.AST | None, name: str) -> list[ast.AST]:
    if function is None:
        return []
    values: list[ast.AST] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            values.append(node.value)
    return values


class _PythonFinder(ast.NodeVisitor):
    def __init__(self, *, renderers: bool) -> None:
        self.found: list[ast.AST] = []
        self.renderers = renderers  # a notifications module: what its functions return is text
        self._function: ast.AST | None = None

    def _add(self, node: ast.AST | None, **kw: bool) -> None:
        self.found.extend(_untranslated(node, **kw))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        outer, self._function = self._function, node
        self.generic_visit(node)
        self._function = outer

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Return(self, node: ast.Return) -> None:
        if self.renderers and self._function is not None:
            self._add(node.value)
        self.generic_visit(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        if self.renderers:
            self._add(node.body)
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(_name(base) in CHOICES_BASES for base in node.bases):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
                    labels = statement.value.elts[1:]
                    for label in labels:
                        self._add(label)
        for statement in node.body:
            if (
                isinstance(statement, ast.Assign)
                and any(_name(t) == "default_error_messages" for t in statement.targets)
            ) or (
                isinstance(statement, ast.AnnAssign)
                and _name(statement.target) == "default_error_messages"
            ):
                self._add(statement.value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if (
            isinstance(node.func, ast.Attribute)
            and name in MESSAGE_LEVELS
            and _name(node.func.value) == "messages"
        ):
            self._add(node.args[1] if len(node.args) > 1 else None)
            for keyword in node.keywords:
                if keyword.arg == "message":
                    self._add(keyword.value)
        if name in RAISED_TO_USERS:
            for argument in node.args[(1 if name == "OnboardingError" else 0) :]:
                self._add(argument)
            for keyword in node.keywords:
                if keyword.arg == "message":
                    self._add(keyword.value)
        if name in RESPONSES and node.args:
            self._add(node.args[0])
        if name == "send_mail":
            for argument in node.args[:2]:
                self._add(argument)
                if isinstance(argument, ast.Name):
                    for value in _assigned_in(self._function, argument.id):
                        self._add(value)
        for keyword in node.keywords:
            if keyword.arg in TEXT_KEYWORDS:
                self._add(keyword.value)
            if keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
                for choice in keyword.value.elts:
                    if isinstance(choice, ast.Tuple):
                        for label in choice.elts[1:]:
                            self._add(label)
        self.generic_visit(node)


def python_findings(source: str, name: str) -> list[Finding]:
    tree = ast.parse(source, filename=name)
    finder = _PythonFinder(renderers=Path(name).name == "notifications.py")
    finder.visit(tree)
    return sorted(
        {
            Finding(f"{name}:{getattr(node, 'lineno', 0)}", ast.unparse(node))
            for node in finder.found
        },
        key=str,
    )


# --- javascript ------------------------------------------------------------------------------

JS_TEXT = re.compile(
    r"""(?:\.(?:textContent|innerText|title|placeholder|ariaLabel|alt)\s*=\s*"""
    r"""|setAttribute\(\s*["'](?:title|placeholder|aria-label|alt)["']\s*,\s*"""
    r"""|\btoast\(\s*)(["'`])((?:(?!\1).)*)\1"""
)


def js_findings(source: str, name: str) -> list[Finding]:
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        if line.lstrip().startswith(("//", "*", "/*")):
            continue
        for match in JS_TEXT.finditer(line):
            if _reads_as_text(match.group(2)):
                found.append(Finding(f"{name}:{number}", match.group(2)))
    return found


# --- walking the areas -----------------------------------------------------------------------


def files_of(root: Path, areas: Iterable[str], suffix: str) -> list[Path]:
    """The files ending in `suffix` of each area (a file or a directory under `root`);
    migrations and tests are not user-facing."""
    found: set[Path] = set()
    for area in areas:
        path = root / area
        candidates = [path] if path.is_file() else path.rglob(f"*{suffix}")
        for candidate in candidates:
            parts = candidate.relative_to(root).parts
            if candidate.suffix == suffix and "migrations" not in parts and "tests" not in parts:
                found.add(candidate)
    return sorted(found)
