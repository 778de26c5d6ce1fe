"""What a people CSV would do, row by row, before anything is written: each row with the
problems that keep it out (import_preview), and an import's job for the person who started it.
Call inside the tenant's schema. A handful of queries whatever the file's length."""

import re
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, roles_for_kind
from people.imports import IMPORT_TOPIC
from people.imports.parse import CsvFile
from realtime.job_progress import job_progress_read
from school.models import ClassGroup, StudentRecord

EMAIL_MAX = User._meta.get_field("email").max_length or 254
NAME_MAX = User._meta.get_field("full_name").max_length or 150
ENROLMENT_MAX = StudentRecord._meta.get_field("enrolment_number").max_length or 32
# A guardian's children in one cell: e-mails or enrolment numbers, however separated.
_CHILD_SEPARATORS = re.compile(r"[\s,;|]+")


def importable_roles(kind: str) -> list[Role]:
    """Every role of the kind but administrators: they are added one by one on the people
    page, never from a file (a spreadsheet must not hand out the keys to the tenant)."""
    roles = roles_for_kind(kind) - {Role.ADMINISTRATOR}
    return [role for role in Role if role in roles]


def _role_names(kind: str) -> dict[str, Role]:
    """Each importable role by its code and by its name in every language ("Alumno")."""
    names: dict[str, Role] = {}
    for role in importable_roles(kind):
        names[role.value] = role
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names[str(role.label).lower()] = role
    return names


def _language_names() -> dict[str, str]:
    """Each language by its code ("es-mx", "es_MX", "es") and its name."""
    names: dict[str, str] = {}
    for code, name in settings.LANGUAGES:
        names[code] = code
        names[code.split("-")[0]] = code
        names[name.lower()] = code
    return names


@dataclass
class PreviewRow:
    number: int
    role: Role | None
    role_text: str
    full_name: str
    email: str  # lower-cased
    enrolment_number: str
    group_text: str
    children: list[str]  # the references as written (e-mails or enrolment numbers)
    language: str  # a code of settings.LANGUAGES, or "" for the tenant's default
    problems: list[str] = field(default_factory=list)
    # What the import needs, resolved here once.
    group_id: int | None = None
    child_ids: list[int] = field(default_factory=list)  # students already here
    child_rows: list[int] = field(default_factory=list)  # students of this file, by row number

    @property
    def role_label(self) -> str:
        return str(self.role.label) if self.role else self.role_text


@dataclass
class Preview:
    rows: list[PreviewRow]

    @property
    def problem_rows(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.problems]

    @property
    def ready(self) -> bool:
        return bool(self.rows) and not self.problem_rows

    def counts_by_role(self) -> list[tuple[str, int]]:
        counts = Counter(row.role for row in self.rows if row.role)
        return [(str(role.label), counts[role]) for role in Role if counts[role]]


def import_progress(*, job_id: int) -> tuple[int, int] | None:
    """(rows done, rows in all) of an import running now, as its worker last wrote it."""
    progress = job_progress_read(topic=IMPORT_TOPIC, object_id=job_id)
    return progress[:2] if progress else None


def import_preview(*, csv_file: CsvFile, kind: str) -> Preview:
    """Each row of `csv_file` with its problems: a bad e-mail, one seen earlier in the file or
    already here, a role this kind does not import, a student without an enrolment number or
    with one already taken, an unknown group, a child who is no student, an unknown
    language, a value longer than its column."""
    roles = _role_names(kind)
    languages = _language_names()
    rows = [
        PreviewRow(
            number=raw.number,
            role=roles.get(raw.values["role"].lower()),
            role_text=raw.values["role"],
            full_name=raw.values["full_name"],
            email=raw.values["email"].lower(),
            enrolment_number=raw.values.get("enrolment_number", ""),
            group_text=raw.values.get("group", ""),
            children=[c for c in _CHILD_SEPARATORS.split(raw.values.get("children", "")) if c],
            language=languages.get(raw.values["language"].lower().replace("_", "-"), ""),
        )
        for raw in csv_file.rows
    ]
    by_number = {raw.number: raw for raw in csv_file.rows}
    existing = set(
        User.objects.annotate(lower=Lower("email"))
        .filter(lower__in={row.email for row in rows})
        .values_list("lower", flat=True)
    )
    first_with_email: dict[str, int] = {}
    for row in rows:
        language_text = by_number[row.number].values["language"]
        _check_person(row, existing=existing, first_with_email=first_with_email, kind=kind)
        if language_text and not row.language:
            row.problems.append(
                _("Unknown language “%(language)s”: write %(choices)s or leave it empty.")
                % {
                    "language": language_text,
                    "choices": ", ".join(code for code, _name in settings.LANGUAGES),
                }
            )
    if kind == "school":
        _check_school_records(rows)
    return Preview(rows=rows)


def _check_person(
    row: PreviewRow, *, existing: set[str], first_with_email: dict[str, int], kind: str
) -> None:
    if row.role is None:
        row.problems.append(
            _("Unknown role “%(role)s”: write one of %(choices)s.")
            % {
                "role": row.role_text,
                "choices": ", ".join(role.value for role in importable_roles(kind)),
            }
        )
    if len(row.full_name) > NAME_MAX:
        row.problems.append(_("The name is longer than %(max)s characters.") % {"max": NAME_MAX})
    if not row.email:
        row.problems.append(_("The e-mail address is missing."))
        return
    try:
        validate_email(row.email)
        if len(row.email) > EMAIL_MAX:
            raise ValidationError("too long")
    except ValidationError:
        row.problems.append(_("%(email)s is not a valid e-mail address.") % {"email": row.email})
        return
    if row.email in first_with_email:
        row.problems.append(
            _("%(email)s is also on row %(row)s.")
            % {"email": row.email, "row": first_with_email[row.email]}
        )
    else:
        first_with_email[row.email] = row.number
    if row.email in existing:
        row.problems.append(_("%(email)s already has an account here.") % {"email": row.email})


def _check_school_records(rows: list[PreviewRow]) -> None:
    """Enrolment numbers, groups and children: against the file and the school's records."""
    groups = {group.name.lower(): group.pk for group in ClassGroup.objects.all()}
    numbers = {row.enrolment_number for row in rows if row.enrolment_number}
    refs = {ref.lower() for row in rows for ref in row.children}
    taken = set(
        StudentRecord.objects.filter(enrolment_number__in=numbers).values_list(
            "enrolment_number", flat=True
        )
    )
    # Students already here, by e-mail and by enrolment number.
    here: dict[str, int] = {}
    for pk, email in (
        User.objects.annotate(lower=Lower("email"))
        .filter(lower__in=refs, role=Role.STUDENT)
        .values_list("pk", "lower")
    ):
        here[email] = pk
    for number, pk in (
        StudentRecord.objects.annotate(lower=Lower("enrolment_number"))
        .filter(lower__in=refs)
        .values_list("lower", "student_id")
    ):
        here[number] = pk
    # Students of this file, by e-mail and by enrolment number.
    in_file: dict[str, int] = {}
    first_with_number: dict[str, int] = {}
    for row in rows:
        if row.role != Role.STUDENT:
            continue
        in_file.setdefault(row.email, row.number)
        if row.enrolment_number:
            in_file.setdefault(row.enrolment_number.lower(), row.number)
    for row in rows:
        if row.role == Role.STUDENT:
            _check_student(row, groups=groups, taken=taken, first_with_number=first_with_number)
        else:
            if row.enrolment_number or row.group_text:
                row.problems.append(_("Only students have an enrolment number and a group."))
        if row.role == Role.GUARDIAN:
            for ref in row.children:
                key = ref.lower()
                if key in in_file:
                    row.child_rows.append(in_file[key])
                elif key in here:
                    row.child_ids.append(here[key])
                else:
                    row.problems.append(
                        _("No student %(child)s, here or in this file.") % {"child": ref}
                    )
        elif row.children:
            row.problems.append(_("Only guardians have children."))


def _check_student(
    row: PreviewRow, *, groups: dict[str, int], taken: set[str], first_with_number: dict[str, int]
) -> None:
    number = row.enrolment_number
    if not number:
        row.problems.append(_("A student needs an enrolment number."))
    elif len(number) > ENROLMENT_MAX:
        row.problems.append(
            _("The enrolment number is longer than %(max)s characters.") % {"max": ENROLMENT_MAX}
        )
    elif number in taken:
        row.problems.append(_("Enrolment number %(number)s is already taken.") % {"number": number})
    elif number in first_with_number:
        row.problems.append(
            _("Enrolment number %(number)s is also on row %(row)s.")
            % {"number": number, "row": first_with_number[number]}
        )
    else:
        first_with_number[number] = row.number
    if row.group_text:
        group_id = groups.get(row.group_text.lower())
        if group_id is None:
            row.problems.append(
                _("There is no group “%(group)s” in this school.") % {"group": row.group_text}
            )
        row.group_id = group_id
