"""One stylesheet of the product's own: every page looks the same way because every page is
styled by static/aviso/aviso.css alone, never by a per-area file or a per-page style."""

import re
from pathlib import Path

from testing.servers import ROOT

STYLESHEET = "aviso/aviso.css"
LINK = re.compile(r"""<link\b[^>]*rel=["']stylesheet["'][^>]*>""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle=["']""", re.IGNORECASE)


def templates() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.html"))


def test_the_product_has_one_stylesheet() -> None:
    sheets = sorted(
        p.relative_to(ROOT / "static").as_posix() for p in (ROOT / "static").rglob("*.css")
    )
    assert sheets == [STYLESHEET]


def test_templates_link_only_that_stylesheet_and_style_nothing_themselves() -> None:
    problems = []
    for template in templates():
        text = template.read_text()
        name = template.relative_to(ROOT).as_posix()
        problems += [f"{name}: {link}" for link in LINK.findall(text) if STYLESHEET not in link]
        if STYLE_ELEMENT.search(text):
            problems.append(f"{name}: a <style> element")
        if STYLE_ATTRIBUTE.search(text):
            problems.append(f"{name}: a style attribute")
    assert not problems, problems


def test_the_checks_would_see_a_page_style() -> None:
    page = '<link rel="stylesheet" href="/static/school/school.css"><p style="color: red">'
    assert LINK.findall(page) and STYLESHEET not in LINK.findall(page)[0]
    assert STYLE_ATTRIBUTE.search(page)
    assert STYLE_ELEMENT.search("<style>p { color: red }</style>")
    assert templates(), "no template found: the scan looks in the wrong place"
