"""The school in Mexican Spanish (issue #11): a Spanish-speaking administrator or student reads
their pages, errors, JSON state and notifications in Spanish, while an English-speaking
colleague of the same school keeps reading English; every school string is in the catalogue,
translated, and no school template formats dates or plurals the English way."""

import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import formats, translation
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.roles import Role
from realtime.catalogue import render
from realtime.models import Notification
from school.clock import tenant_today
from school.payloads import cell_key, invoice_row
from school.services import grades, invoices, reminders
from tenants.models import Tenant
from tests.factories import client_for, make_user
from tests.school.conftest import People
from tests.school.factories import make_assessment, make_course, make_grade, make_invoice

SPANISH = "es-mx"
ROOT = Path(settings.BASE_DIR)
SCHOOL_SOURCES = ("school/", "templates/school/", "static/school/")

# A user's own language is issue #11's core field (accounts.User.language). Where it exists it
# decides the language of their pages; until then no middleware picks one, and the language
# active around the request is the one the page renders in.
HAS_LANGUAGE_FIELD = hasattr(User, "language")


@contextmanager
def reading_spanish(tenant: Tenant, *users: User) -> Iterator[None]:
    """These users of `tenant` read Spanish: their own language, and the one active meanwhile."""
    if HAS_LANGUAGE_FIELD:
        with tenant_context(tenant):
            User.objects.filter(pk__in=[u.pk for u in users]).update(language=SPANISH)
    with translation.override(SPANISH):
        yield


@pytest.fixture
def spanish_admin(school: Tenant) -> User:
    return make_user(school, Role.ADMINISTRATOR, name="Lupita Admin")


@pytest.fixture
def spanish_student(school: Tenant) -> User:
    return make_user(school, Role.STUDENT, name="Juan Pérez")


def short_date(day: date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_administrators_dashboard_reads_in_spanish_with_spanish_plurals(
    school: Tenant, school_b: Tenant, people: People, spanish_admin: User
) -> None:
    # given a draft grade and two overdue invoices
    with tenant_context(school):
        course = make_course(students=[people.alice])
        make_grade(make_assessment(course), people.alice, "80", by=people.admin)
        late = tenant_today() - timedelta(days=3)
        for student in (people.alice, people.bob):
            make_invoice(student, by=people.admin, due_on=late, status="overdue")
    # when a Spanish-speaking administrator opens the overview
    with reading_spanish(school, spanish_admin):
        page = client_for(school, spanish_admin).get("/school/")
    # then it reads in Spanish, singular and plural agreeing with the numbers
    assert page.status_code == 200
    text = page.text
    assert "<strong>1</strong> calificación en borrador por publicar" in text
    assert "<strong>2</strong> facturas vencidas" in text
    assert "de saldo pendiente" in text and "Últimos pagos" in text
    assert ">Calificaciones</a>" in text and ">Facturas</a>" in text  # the menu
    assert "draft grade" not in text and "overdue invoice" not in text
    # and an English-speaking administrator of the same school still reads English
    english = client_for(school, people.admin).get("/school/").text
    assert "<strong>1</strong> draft grade to publish" in english
    assert "<strong>2</strong> overdue invoices" in english
    assert "calificación" not in english


@pytest.mark.django_db
def test_the_gradebook_and_its_errors_read_in_spanish(
    school: Tenant, people: People, spanish_admin: User
) -> None:
    # given a course with a quiz out of 20
    with tenant_context(school):
        course = make_course(students=[people.alice, people.bob])
        quiz = make_assessment(course, title="Quiz", max_score="20")
    client = client_for(school, spanish_admin)
    with reading_spanish(school, spanish_admin):
        # when the gradebook is opened
        page = client.get(f"/school/courses/{course.pk}/gradebook/")
        # and a score beyond the maximum is saved
        refused = client.post(
            f"/school/courses/{course.pk}/gradebook/",
            {cell_key(quiz.pk, people.alice.pk): "25"},
        )
    # then the page, its form and the refusal are in Spanish
    assert page.status_code == 200
    assert "Guardar borradores" in page.text and "Agregar una evaluación" in page.text
    assert "Puntaje máximo" in page.text and "Ponderación" in page.text
    assert "Publicar todos los borradores de este curso" in page.text
    assert "los alumnos siguen viendo la calificación publicada" in page.text
    assert refused.status_code == 400
    assert "25 está fuera de rango: Quiz se califica de 0 a 20." in refused.text
    assert "No se guardó nada: corrige las celdas marcadas." in refused.text


@pytest.mark.django_db
def test_a_spanish_speaking_student_reads_my_grades_in_spanish(
    school: Tenant, people: People, spanish_student: User
) -> None:
    # given a published grade of the student
    with tenant_context(school):
        course = make_course(students=[spanish_student], name="Química")
        quiz = make_assessment(course, title="Examen parcial", max_score="20")
        make_grade(quiz, spanish_student, "17", by=people.admin, published=True)
    with reading_spanish(school, spanish_student):
        page = client_for(school, spanish_student).get("/school/my/grades/")
        fragment = client_for(school, spanish_student).get("/school/my/grades/fragment/")
    # then the page and the fragment it swaps in read in Spanish
    assert page.status_code == 200
    assert "<h1>Mis calificaciones</h1>" in page.text
    assert "Evaluación" in page.text and "Puntaje" in page.text and "promedio" in page.text
    assert "boleta del periodo" in page.text and ">Mis facturas</a>" in page.text
    assert "Examen parcial" in page.text and "17.00 / 20.00" in page.text
    assert fragment.text.strip() in page.text and "promedio" in fragment.text
    # and Alice, who reads English, sees her (empty) page in English
    english = client_for(school, people.alice).get("/school/my/grades/").text
    assert "My grades" in english and "You are not enrolled in any course yet." in english


@pytest.mark.django_db
def test_invoices_read_in_spanish_with_the_spanish_date_format(
    school: Tenant, people: People, spanish_admin: User, spanish_student: User
) -> None:
    # given an overdue invoice (due on a day no reader can take for a month) and a partly
    # paid one of the student
    due = date(2025, 3, 14)
    with tenant_context(school):
        make_invoice(spanish_student, by=people.admin, due_on=due, status="overdue")
        partly = make_invoice(
            spanish_student, by=people.admin, amount="300", paid="100", status="partially_paid"
        )
        make_invoice(people.alice, by=people.admin, due_on=due, status="overdue")
    with reading_spanish(school, spanish_admin, spanish_student):
        mine = client_for(school, spanish_student).get("/school/my/invoices/")
        state = client_for(school, spanish_student).get("/school/my/balance.json").json()
        listed = client_for(school, spanish_admin).get("/school/invoices/")
        detail = client_for(school, spanish_admin).get(f"/school/invoices/{partly.pk}/")
    # then the student's page reads in Spanish, dates as Mexico writes them
    assert mine.status_code == 200
    assert "Saldo por pagar:" in mine.text and "<h1>Mis facturas</h1>" in mine.text
    assert ">Vencida<" in mine.text and ">Pagada parcialmente<" in mine.text
    assert short_date(due, SPANISH) in mine.text
    assert short_date(due, "en") != short_date(due, SPANISH)
    # and the JSON state keeps its shape, its labels in the request's language
    labels = {i["status"]: i["status_label"] for i in state["invoices"]}
    assert labels == {"overdue": "Vencida", "partially_paid": "Pagada parcialmente"}
    # and the administrators' list, filters and invoice page are Spanish too
    assert "Emitir una factura" in listed.text and "Cualquier estado" in listed.text
    assert "Abiertas (sin pagar)" in listed.text and "Filtrar" in listed.text
    assert "Registrar un pago" in detail.text and "Forma de pago" in detail.text
    assert "Transferencia bancaria" in detail.text
    # while Alice, who reads English, gets English labels from the same endpoint
    english = client_for(school, people.alice).get("/school/my/balance.json").json()
    assert [i["status_label"] for i in english["invoices"]] == ["Overdue"]


@pytest.mark.django_db
def test_validation_errors_of_the_invoice_form_are_spanish(
    school: Tenant, people: People, spanish_admin: User
) -> None:
    yesterday = (tenant_today() - timedelta(days=1)).isoformat()
    with reading_spanish(school, spanish_admin):
        refused = client_for(school, spanish_admin).post(
            "/school/invoices/new/", {"student": people.alice.pk, "due_on": yesterday}
        )
    assert refused.status_code == 400
    assert "Indica el concepto de la factura (o elige una cuota)." in refused.text
    assert "Indica un monto (o elige una cuota)." in refused.text
    assert "La fecha de vencimiento no puede estar en el pasado." in refused.text


# --- notifications ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_school_notifications_render_in_each_readers_language(
    school: Tenant, people: People, spanish_student: User, on_commit: Any
) -> None:
    # given the same grades published to a Spanish and an English reader, and an invoice each
    with tenant_context(school):
        course = make_course(students=[spanish_student, people.bob], name="Química")
        quiz = make_assessment(course, title="Quiz", max_score="20")
        lab = make_assessment(course, title="Lab", max_score="50")
        for student in (spanish_student, people.bob):
            make_grade(quiz, student, "15", by=people.admin)
            make_grade(lab, student, "40", by=people.admin)
        due = tenant_today() + timedelta(days=5)
        with on_commit(execute=True):
            grades.course_publish(course=course, by=people.admin)
            for student in (spanish_student, people.bob):
                invoices.invoice_issue(
                    student=student, description="Libros", amount="20", due_on=due, by=people.admin
                )
        rows = {(n.recipient_id, n.type): n for n in Notification.objects.all()}
        # when each reader's notifications are shown in their language
        spanish_grades = render(
            "grade.published",
            rows[(spanish_student.pk, "grade.published")].data,
            language=SPANISH,
        )
        spanish_invoice = rows[(spanish_student.pk, "invoice.issued")]
        spanish_bill = render("invoice.issued", spanish_invoice.data, language=SPANISH)
        english_grades = render(
            "grade.published", rows[(people.bob.pk, "grade.published")].data, language="en"
        )
        english_bill = render(
            "invoice.issued", rows[(people.bob.pk, "invoice.issued")].data, language="en"
        )
    # then the Spanish reader's title, body and labels are Spanish, the English one's English
    assert spanish_grades.title == "2 calificaciones nuevas en Química"
    assert english_grades.title == "2 new grades in Química"
    assert spanish_bill.title == "Nueva factura"
    assert spanish_bill.body.endswith(f"vence el {short_date(due, SPANISH)}.")
    assert spanish_bill.labels["status_label"] == "Emitida"
    assert english_bill.title == "New invoice"
    assert english_bill.body.endswith(f"due {short_date(due, 'en')}.")
    assert english_bill.labels["status_label"] == "Issued"
    # and the stored row holds the status, never a label in anyone's language
    assert spanish_invoice.data["invoice"]["status"] == "issued"
    assert "status_label" not in spanish_invoice.data["invoice"]


@pytest.mark.django_db
def test_due_soon_days_are_spanish_plurals() -> None:
    from school.notifications import INVOICE_DUE_SOON

    invoice = {
        "id": 1,
        "number": "INV-000001",
        "description": "Colegiatura",
        "amount": "100.00",
        "amount_paid": "0.00",
        "balance": "100.00",
        "currency": "MXN",
        "due_on": "2026-12-10",
        "status": "issued",
        "version": "2026-12-01T00:00:00+00:00",
    }
    with translation.override(SPANISH):
        bodies = [
            INVOICE_DUE_SOON.render(
                {"invoice": invoice, "balance": "100.00", "due_in_days": days}
            ).body.split(" (")[0]
            for days in (0, 1, 2)
        ]
    assert bodies == [
        "INV-000001 Colegiatura vence hoy",
        "INV-000001 Colegiatura vence mañana",
        "INV-000001 Colegiatura vence en 2 días",
    ]


@pytest.mark.django_db
@pytest.mark.skipif(not HAS_LANGUAGE_FIELD, reason="users have no language before issue #11's core")
def test_reminder_emails_are_written_in_each_students_language(
    school: Tenant, people: People, spanish_student: User, on_commit: Any
) -> None:
    # given an overdue invoice of a Spanish-speaking and of an English-speaking student
    with tenant_context(school):
        User.objects.filter(pk=spanish_student.pk).update(language=SPANISH)
        User.objects.filter(pk=people.bob.pk).update(language="en")
        late = tenant_today() - timedelta(days=2)
        for student in (spanish_student, people.bob):
            make_invoice(student, by=people.admin, due_on=late, description="Laboratorio")
        # when the daily run (no request, no active language) reminds them
        with on_commit(execute=True):
            reminders.invoices_daily_run()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    spanish = by_recipient[spanish_student.email]
    english = by_recipient[people.bob.email]
    # then each e-mail reads in its student's language
    assert spanish.subject.startswith("Factura vencida: ")
    assert spanish.body.startswith("Hola, Juan Pérez:") and "saldo pendiente" in spanish.body
    assert english.subject.startswith("Invoice overdue: ")
    assert english.body.startswith("Hello ") and "still outstanding" in english.body


# --- the catalogue and the templates ---------------------------------------------------------


def _entries_needing_work(po: Path, flag: str) -> list[str]:
    """The school's entries of a catalogue that msgattrib finds untranslated or fuzzy."""
    out = subprocess.run(
        ["msgattrib", flag, "--no-wrap", str(po)], capture_output=True, text=True, check=True
    ).stdout
    return [entry for entry in out.split("\n\n") if _is_schools(entry)]


def _is_schools(entry: str) -> bool:
    references = [
        ref for line in entry.splitlines() if line.startswith("#:") for ref in line[2:].split()
    ]
    return any(ref.startswith(SCHOOL_SOURCES) for ref in references)


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_school_string_is_translated_and_none_is_fuzzy(domain: str) -> None:
    po = ROOT / "locale" / "es_MX" / "LC_MESSAGES" / f"{domain}.po"
    text = po.read_text()
    assert any(_is_schools(entry) for entry in text.split("\n\n")), "no school entries"
    assert _entries_needing_work(po, "--untranslated") == []
    assert _entries_needing_work(po, "--only-fuzzy") == []


def test_every_string_the_school_scripts_translate_is_in_the_js_catalogue() -> None:
    catalogue = (ROOT / "locale" / "es_MX" / "LC_MESSAGES" / "djangojs.po").read_text()
    for script in (ROOT / "static" / "school").glob("*.js"):
        for text in re.findall(r'\bgettext\("([^"]+)"\)', script.read_text()):
            assert f'msgid "{text}"' in catalogue, (script.name, text)


def test_no_school_template_pluralizes_english_words_or_writes_its_own_date_format() -> None:
    named = {"SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "TIME_FORMAT"}
    for template in (ROOT / "templates" / "school").glob("*.html"):
        source = template.read_text()
        assert "|pluralize" not in source, template.name
        for fmt in re.findall(r'\|(?:date|time):"([^"]*)"', source):
            assert fmt in named, (template.name, fmt)


@pytest.mark.django_db
def test_rows_stored_with_an_english_status_label_lose_it(school: Tenant, people: People) -> None:
    # given an invoice notification stored before labels were rendered (it kept "Overdue")
    migration = import_module("school.migrations.0002_notifications_without_status_label")
    [sql, params] = migration.Migration.operations[0].sql[0]
    with tenant_context(school):
        invoice = make_invoice(people.alice, by=people.admin, status="overdue")
        old = Notification.objects.create(
            recipient=people.alice,
            seq=1,
            type="invoice.overdue",
            data={
                "invoice": {**invoice_row(invoice), "status_label": "Overdue"},
                "balance": "100.00",
            },
        )
        # when the migration runs
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        old.refresh_from_db()
        # then the row keeps its facts, and its label is the reader's again
        assert "status_label" not in old.data["invoice"]
        assert old.data["invoice"]["status"] == "overdue"
        assert render(old.type, old.data, language=SPANISH).labels["status_label"] == "Vencida"
