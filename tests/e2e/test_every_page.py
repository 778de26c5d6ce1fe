"""Every page of every role, as its users hold it: on a 390x844 phone and a 1280x800 desktop, in
English and in Spanish. On a phone no page scrolls sideways, the bell and "Sign out" can be
reached (at once, or by opening the menu) and every control is a touch target of at least
44 px; at both sizes axe-core finds nothing serious or critical. Each role's main page is
saved as a screenshot (test-artifacts/screens/<site>-<role>-<language>-<size>.png).

The pages come from the URL confs (tests/e2e/site_map.py): each URL is asked for once per
person, and whatever answers with a whole HTML page is a page. A URL that nobody can open is
a failure, so a new page cannot be left out; POST-only, JSON and fragment URLs are not pages.

Each page is loaded once per language, at desktop size, then narrowed to the phone's size:
no script of the product reads the viewport (its layout is all CSS media queries), so the
narrowed page is the page a phone loads, at half the cost."""

from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.http.response import HttpResponseBase
from django.test import Client
from playwright.sync_api import Browser, Page, ViewportSize

from accounts.models import User
from tenants.models import Tenant
from testing.servers import ROOT
from testing.tenants import session_for
from tests.e2e.browser import Browsing, Visitor
from tests.e2e.data import off_the_browser_thread
from tests.e2e.site_map import URLCONFS, Cast, Person, cast, has_language_field, routes, speak

pytestmark = [pytest.mark.usefixtures("live_db"), pytest.mark.slow]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "test-artifacts" / "screens"
DESKTOP = ViewportSize(width=1280, height=800)
PHONE = ViewportSize(width=390, height=844)
BROWSER_LOCALE = {"en": "en-US", "es-mx": "es-MX"}
TOUCH_PX = 44
# Allauth's pages (sign-in, password, e-mail) are the same templates on every site and for
# every role: the school's visitor and its first signed-in person see them (and every site's
# visitor its sign-in page).
SAME_EVERYWHERE = "account_"

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id} (${v.help}): ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
}"""

# Fields a person fills in without a <label> (or an aria-label where a table's headers show
# what the field is): axe-core takes a placeholder for a name, but the hint disappears as
# soon as one types.
UNLABELLED = """() => Array.from(document.querySelectorAll(
    "input:not([type=hidden], [type=submit], [type=button], [type=reset]), select, textarea"))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-labelledby") &&
    !(el.getAttribute("aria-label") || "").trim())
  .map((el) => `<${el.tagName.toLowerCase()} name="${el.name}">`)"""

# On a phone, in one round trip: the page's width, with the menu closed and open; whether
# each of `needed` ([what, selector]) can be seen (opening the menu if there is one) and is
# large enough; every control a finger presses that is smaller than `least` px (links inside
# running text are exempt, as WCAG 2.5.8 says). Leaves the menu as it found it.
PHONE_CHECK = """([needed, least]) => {
  const problems = [];
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    const visible = getComputedStyle(el).visibility !== "hidden";
    return visible && r.width > 0 && r.height > 0 && r.bottom > 0;
  };
  const size = (r) => `${Math.round(r.width)}x${Math.round(r.height)} px`;
  const width = (when) => {
    const wide = document.documentElement.scrollWidth;
    if (wide > innerWidth) problems.push(["sideways", `${wide} px wide in ${innerWidth}${when}`]);
  };
  width("");
  const toggle = document.querySelector("header [aria-controls][aria-expanded]");
  const folded = toggle !== null && shown(toggle);
  if (folded) {
    toggle.click();
    const opened = toggle.getAttribute("aria-expanded") === "true";
    if (!opened) problems.push(["menu", "aria-expanded stays false"]);
    width(" with the menu open");
  }
  for (const [what, selector] of needed) {
    const el = document.querySelector(selector);
    const r = el && el.getBoundingClientRect();
    if (!el) problems.push(["reach", `${what} is missing`]);
    else if (!shown(el)) problems.push(["reach", `${what} is hidden, even with the menu open`]);
    else if (r.left < 0 || r.right > innerWidth) problems.push(["reach", `${what} is off-screen`]);
    else if (r.width < least || r.height < least) problems.push(["reach", `${what} is ${size(r)}`]);
  }
  const controls = "button, .button, select, textarea, summary, header a, nav a, " +
    "input:not([type=hidden]):not([type=checkbox]):not([type=radio])";
  for (const el of document.querySelectorAll(controls)) {
    const r = el.getBoundingClientRect();
    if (shown(el) && (r.width < least || r.height < least)) {
      const name = (el.innerText || el.value || el.name || "").trim().slice(0, 30);
      problems.push(["touch", `<${el.tagName.toLowerCase()}> "${name}" ${size(r)}`]);
    }
  }
  if (folded) toggle.click();
  return problems;
}"""
PHONE_PROBLEMS = {
    "sideways": "the page scrolls sideways on a phone",
    "menu": "the menu button does not open the menu",
    "reach": "the bell or Sign out is out of reach on a phone",
    "touch": f"touch targets under {TOUCH_PX} px on a phone",
}
BELL = "#aviso-bell"
SIGN_OUT = "form[action$='/accounts/logout/'] [type=submit]"


@dataclass
class Survey:
    """What the pages showed, by kind of problem; each entry says who, where and what."""

    views: int = 0
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, where: str, what: str) -> None:
        self.problems[kind].append(f"{where}: {what}")

    def report(self) -> str:
        return "\n".join(
            f"{kind} ({len(found)}):\n  " + "\n  ".join(found)
            for kind, found in self.problems.items()
        )


@dataclass
class Plan:
    pages: dict[str, list[str]]  # person label -> the paths that are pages for them
    main: dict[str, str]  # person label -> the path "/" leads them to
    unopened: list[str]  # URLs that are nothing for anyone: a page nobody could open


@off_the_browser_thread
def plan_visits(people: Cast) -> Plan:
    """Asks for every URL as every person (in-process: nothing is rendered in the browser)
    and keeps the ones that answer with a whole page."""
    pages: dict[str, list[str]] = defaultdict(list)
    main: dict[str, str] = {}
    answers: dict[tuple[str, str], set[str]] = defaultdict(set)  # (site, URL name) -> kinds
    someone_signed_in_saw_shared = False
    for person in people.people:
        client = Client(HTTP_HOST=person.host)
        if person.user is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_for(person.tenant, person.user)
        home = client.get("/", follow=True)
        main[person.label] = (
            home.redirect_chain[-1][0].split("?")[0] if home.redirect_chain else "/"
        )
        sees_shared = person.site == "school" and (
            person.user is None or not someone_signed_in_saw_shared
        )
        someone_signed_in_saw_shared |= sees_shared and person.user is not None
        for route in routes(URLCONFS[person.site]):
            path = people.path(person.site, route)
            shared = route.name.startswith(SAME_EVERYWHERE)
            if shared and not sees_shared and path != main[person.label]:
                continue
            kind = _kind_of_answer(client.get(path))
            answers[person.site, route.name].add(kind)
            if kind == "page":
                pages[person.label].append(path)
    unopened = [
        f"{site} {name}: {sorted(kinds)}"
        for (site, name), kinds in answers.items()
        if not kinds & {"page", "post-only", "data", "fragment", "redirect"}
    ]
    return Plan(pages, main, unopened)


def _kind_of_answer(answer: HttpResponseBase) -> str:
    if 300 <= answer.status_code < 400:
        return "redirect"
    if answer.status_code == 405:
        return "post-only"
    if answer.status_code >= 400:
        return f"refused {answer.status_code}"
    if not answer.get("Content-Type", "").startswith("text/html"):
        return "data"
    start = answer.content[:400].decode(errors="replace").lower()  # type: ignore[attr-defined]
    return "page" if "<html" in start else "fragment"


def axe_finds(page: Page, survey: Survey, where: str, language: str) -> None:
    for violation in page.evaluate(AXE_RUN):
        survey.add("axe-core: serious or critical", where, violation)
    for field_ in page.evaluate(UNLABELLED):
        survey.add("form fields without a label", where, field_)
    if has_language_field():  # once users choose a language, the page must say it is in it
        lang = page.evaluate("document.documentElement.lang").lower()
        if not lang.startswith(language[:2]):
            survey.add("<html lang> is not the page's language", where, lang or "(none)")


def phone_finds(page: Page, survey: Survey, where: str, person: Person) -> None:
    needed = []
    if person.user is not None:
        needed.append(["Sign out", SIGN_OUT])
        if person.site != "console":  # the operators' console has no notifications
            needed.append(["the bell", BELL])
    for kind, what in page.evaluate(PHONE_CHECK, [needed, TOUCH_PX]):
        survey.add(PHONE_PROBLEMS[kind], where, what)


def screenshot(page: Page, person: Person, language: str, size: str) -> None:
    page.screenshot(path=str(SCREENS / f"{person.label}-{language}-{size}.png"), full_page=True)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("language", ["en", "es-mx"])
def test_every_page_of_every_role_on_a_phone_and_a_desktop(
    browsing: Browsing,
    school: Tenant,
    school_b: Tenant,
    clinic: Tenant,
    clinic_b: Tenant,
    language: str,
) -> None:
    assert AXE.exists(), f"{AXE} is missing: ./run-tests installs it (npm ci)"
    # given a freshly onboarded school and clinic with a little data (their second tenants
    # beside them), and a person of every role of each site, reading `language`
    people = cast(school, clinic)
    speak(people.people, language)
    plan = plan_visits(people)
    assert not plan.unopened, (
        "URLs that nobody could open: give tests/e2e/site_map.py's data what they need, or "
        f"a person of the role that may: {plan.unopened}"
    )
    SCREENS.mkdir(parents=True, exist_ok=True)

    # when each person opens each of their pages, on a desktop and then on a phone
    survey = Survey()
    for person in people.people:
        visitor: Visitor = browsing.visitor(
            f"{person.label}-{language}", viewport=DESKTOP, locale=BROWSER_LOCALE[language]
        )
        visitor.context.add_init_script(path=AXE)
        if person.user is not None:
            browsing.add_session(visitor, person.tenant, person.user)
        page = visitor.page
        for path in plan.pages[person.label]:
            where = f"{person.label} {language} {{}} {path}"
            page.set_viewport_size(DESKTOP)
            response = page.goto(f"http://{person.host}:{browsing.port}{path}")
            assert response is not None
            if not response.ok:
                survey.add("pages that did not load", where.format("desktop"), f"{response.status}")
                continue
            survey.views += 2
            is_main = path == plan.main[person.label]
            axe_finds(page, survey, where.format("desktop"), language)
            if is_main:
                screenshot(page, person, language, "desktop")
            page.set_viewport_size(PHONE)
            axe_finds(page, survey, where.format("phone"), language)
            phone_finds(page, survey, where.format("phone"), person)
            if is_main:
                screenshot(page, person, language, "phone")

    # then nothing stood in anyone's way
    nothing_to_see = [p.label for p in people.people if not plan.pages[p.label]]
    assert not nothing_to_see, f"people with no page at all: {nothing_to_see}"
    if survey.problems:
        pytest.fail(f"on {survey.views} page views:\n{survey.report()}", pytrace=False)


# A page with one of each problem the survey looks for.
FLAWED_PAGE = """<!doctype html><html lang="en"><head><title>Flawed</title></head><body>
<header><button type="button" aria-controls="menu" aria-expanded="false">Menu</button>
<nav id="menu"><a href="/">Home</a></nav></header>
<main><h1>Flawed</h1><div style="width: 600px">a table as wide as a desktop</div>
<input name="reason" placeholder="Reason"><button type="submit" style="height: 20px">Go</button>
<button type="button" class="icon-without-a-name"></button>
</main></body></html>"""


def test_the_survey_sees_each_problem_it_looks_for(browser: Browser) -> None:
    # given a phone showing a page that is too wide, whose menu does not open, with a field
    # without a label, a button without a name, a small button and no Sign out
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_content(FLAWED_PAGE)
    page.add_script_tag(path=str(AXE))
    person = Person("school", "student", Tenant(), "flawed.test", User())
    survey = Survey()
    # when the survey looks at it
    axe_finds(page, survey, "flawed", "en")
    phone_finds(page, survey, "flawed", person)
    context.close()
    # then it reports each problem
    found = survey.report()
    assert "axe-core: serious or critical" in survey.problems, found
    assert "button-name" in found  # the button with no name, as axe-core calls the rule
    assert survey.problems["form fields without a label"] == ['flawed: <input name="reason">']
    assert "flawed: 608 px wide in 390" in survey.problems[PHONE_PROBLEMS["sideways"]], found
    assert survey.problems[PHONE_PROBLEMS["menu"]] == ["flawed: aria-expanded stays false"]
    assert survey.problems[PHONE_PROBLEMS["reach"]] == [
        "flawed: Sign out is missing",
        "flawed: the bell is missing",
    ]
    assert 'flawed: <button> "Go"' in "\n".join(survey.problems[PHONE_PROBLEMS["touch"]])
