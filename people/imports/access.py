"""Who may see an import: only the people manager who started it (a colleague does not read
another's file, with its names and addresses); 404 or a refused topic for anyone else."""

from collections.abc import Mapping
from typing import Any

from django.http import Http404
from django.utils.translation import gettext

from accounts.models import User
from people.access import is_people_manager
from people.models import ImportJob
from realtime.topics import TopicDenied


def access_import_job(*, by: User, pk: int) -> ImportJob:
    if is_people_manager(by):
        job = ImportJob.objects.filter(pk=pk, created_by=by).first()
        if job is not None:
            return job
    raise Http404(gettext("No such import."))


def authorize_import_progress(user: User, params: Mapping[str, Any]) -> int:
    """The topic people.import (registered in PeopleConfig.ready): params {"job_id": id}."""
    job_id = params.get("job_id")
    if not isinstance(job_id, int) or isinstance(job_id, bool) or not 0 < job_id < 2**63:
        raise TopicDenied(gettext("Give the import's job_id."))
    try:
        return access_import_job(by=user, pk=job_id).pk
    except Http404:
        raise TopicDenied(gettext("No such import.")) from None
