"""The actions a user may take on an appointment, for list pages that draw a row's buttons
(`{% appointment_actions a user as actions %}`); the rule is clinic.states.actions_for."""

from django import template

from accounts.models import User
from clinic.models import Appointment
from clinic.states import Action, actions_for

register = template.Library()


@register.simple_tag
def appointment_actions(appointment: Appointment, user: User) -> list[Action]:
    return actions_for(appointment, user)
