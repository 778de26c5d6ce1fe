from collections.abc import Callable

import pytest

from realtime.groups import GroupNameError, role_group, tenant_group, topic_group, user_group


def test_group_names_carry_the_tenant_and_ids() -> None:
    assert user_group(schema_name="school_a", user_id=7) == "t.school_a.u.7"
    assert tenant_group(schema_name="school_a") == "t.school_a.all"
    assert role_group(schema_name="clinic_b", role="dentist") == "t.clinic_b.r.dentist"
    assert (
        topic_group(schema_name="clinic_b", topic="clinic.schedule", object_id=3)
        == "t.clinic_b.o.clinic.schedule.3"
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: user_group(schema_name="public", user_id=1),
        lambda: user_group(schema_name="School A", user_id=1),
        lambda: user_group(schema_name="a" * 120, user_id=1),
        lambda: user_group(schema_name="school_a", user_id="1; flush"),  # type: ignore[arg-type]
        lambda: topic_group(schema_name="school_a", topic="../x", object_id=1),
        lambda: topic_group(schema_name="school_a", topic="a" * 95, object_id=1),
        lambda: role_group(schema_name="school_a", role="Admin!"),
    ],
)
def test_anything_but_server_ids_is_refused(call: Callable[[], str]) -> None:
    with pytest.raises((GroupNameError, ValueError)):
        call()
