"""The announcement form: what to say and to whom, the choices offered by the sender's role
(school.access states who may address what; the view checks the choice against it again)."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from school import access
from school.models import AnnouncementReach, AnnouncementScope
from school.services.announcements import BODY_MAX, TITLE_MAX

# "school", "level:3°", "group:12", "course:34": a scope and what in it.
_AUDIENCE = re.compile(r"^(school)$|^(level):(.{1,20})$|^(group|course):([0-9]{1,18})$", re.ASCII)


def audience_choices(user: User) -> list[tuple[str, Any]]:
    """The audiences `user` may address, grouped as the select shows them."""
    choices: list[tuple[str, Any]] = []
    if access.may_announce_widely(user):
        choices.append((AnnouncementScope.SCHOOL.value, _("The whole school")))
        levels = [(f"level:{level}", level) for level in access.announceable_levels(user)]
        if levels:
            choices.append((str(_("Levels")), levels))
    groups = [(f"group:{g.pk}", g.name) for g in access.announceable_groups(user)]
    if groups:
        choices.append((str(_("Groups")), groups))
    courses = [
        (f"course:{c.pk}", f"{c.name} ({c.term.name})") for c in access.announceable_courses(user)
    ]
    if courses:
        choices.append((str(_("Courses")), courses))
    return choices


class AnnouncementForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, label=_("Title"))
    body = forms.CharField(
        max_length=BODY_MAX, label=_("Message"), widget=forms.Textarea(attrs={"rows": 8})
    )
    audience = forms.CharField(label=_("To"), max_length=40)
    reach = forms.ChoiceField(
        label=_("Who receives it"),
        choices=AnnouncementReach.choices,
        initial=AnnouncementReach.EVERYONE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = audience_choices(user)
        self.has_audiences = bool(choices)
        self.fields["audience"].widget = forms.Select(choices=[("", "—"), *choices])
        self.fields["reach"].help_text = _(
            "For the whole school, “students” also means its teachers and administrators."
        )

    def clean_audience(self) -> tuple[str, str]:
        """(scope, key): the key is the level, or the group's or course's id."""
        found = _AUDIENCE.match(self.cleaned_data["audience"])
        if found is None:
            raise forms.ValidationError(_("Choose who the announcement is for."))
        if found.group(1):
            return (AnnouncementScope.SCHOOL.value, "")
        if found.group(2):
            return (AnnouncementScope.LEVEL.value, found.group(3))
        return (found.group(4), found.group(5))
