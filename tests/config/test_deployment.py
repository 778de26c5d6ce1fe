"""What can be checked of the deployment here (no Docker engine on this machine): the compose
file parses, each service runs something that exists in the project, production settings
pass Django's deployment checks, and the health endpoints answer on any host."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.core.management import get_commands
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_compose_describes_every_process() -> None:
    services = _compose()["services"]
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)
    for name in ("web", "worker", "beat"):
        assert services[name]["build"]["dockerfile"] == "infra/Dockerfile"
        assert services[name]["command"] == [name]
        assert (
            services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        )


def test_each_service_command_exists_in_the_project() -> None:
    entrypoint = (ROOT / "infra" / "entrypoint.sh").read_text()
    for name in ("web", "worker", "beat"):
        assert re.search(rf"^\s+{name}\)$", entrypoint, re.M), f"entrypoint has no {name} case"
    commands = set(get_commands())
    for command in re.findall(r"python manage\.py (\w+)", entrypoint):
        assert command in commands, f"manage.py {command} does not exist"
    assert re.search(
        r"exec python -m config\.daphne_cmd --bind 0\.0\.0\.0 .*--proxy-headers", entrypoint
    )
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text()
    for copied in re.findall(r"^COPY (\S+) ", dockerfile, re.M):
        assert copied == "." or (ROOT / copied).exists(), copied
    assert os.access(ROOT / "infra" / "entrypoint.sh", os.X_OK)


def test_deploys_migrate_the_public_schema_then_every_tenant_with_the_runner() -> None:
    from django.core.management import load_command_class

    step = re.compile(r"manage\.py (migrate_schemas|platform_setup|migrate_tenants)([^\n]*)")
    for script in (ROOT / "run", ROOT / "infra" / "entrypoint.sh"):
        # given the migration steps of the local runner and of the container's web process
        steps = [(name, shlex.split(rest)) for name, rest in step.findall(script.read_text())]
        # then the public schema goes first with django-tenants, then the template is ensured,
        # then the tenant schemas with the runner (never migrate_schemas over every tenant)
        assert [name for name, _ in steps] == [
            "migrate_schemas",
            "platform_setup",
            "migrate_tenants",
        ], script.name
        assert "--shared" in steps[0][1], script.name
        # and the runner's options as written parse (the shell's ${VAR:-default} as its default)
        argv = [re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", arg) for arg in steps[2][1]]
        parser = load_command_class("tenants", "migrate_tenants").create_parser(
            "manage.py", "migrate_tenants"
        )
        assert parser.parse_args(argv).processes >= 1, (script.name, argv)


def test_every_daphne_runs_the_one_command_line() -> None:
    # given the command line config/daphne_cmd.py builds (tests and bench start theirs with it)
    from daphne.cli import CommandLineInterface

    from config.daphne_cmd import daphne_command
    from config.daphne_server import AvisoCommandLine, DueTimeServer

    command = daphne_command(port=8000, bind="10.0.0.1", proxy_headers=True)
    # then it is Daphne's command line run with Aviso's server class
    assert command[1:3] == ["-m", "config.daphne_run"], command
    assert AvisoCommandLine.server_class is DueTimeServer
    assert os.access(command[0], os.X_OK), f"{command[0]} is not installed"
    # and Daphne's own parser accepts it, and it serves the product's ASGI app
    parsed = CommandLineInterface().parser.parse_args(command[3:])
    assert parsed.application == "config.asgi:application"
    assert parsed.socket_strings == ["tcp:port=8000:interface=10.0.0.1:backlog=4096"]
    assert parsed.proxy_headers
    # (the bench's vanilla baselines alone ask for stock Daphne, with the same options)
    stock = daphne_command(port=8000, bind="10.0.0.1", proxy_headers=True, stock_server=True)
    assert os.access(stock[0], os.X_OK) and stock[1:] == command[3:], stock
    # and the local process file runs it too, rather than a copy of its options
    procfile = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert procfile["web"].split()[1:3] == ["-m", "config.daphne_cmd"], procfile["web"]
    assert "--proxy-headers" in procfile["web"]
    entrypoint = (ROOT / "infra" / "entrypoint.sh").read_text()
    assert not re.search(r"daphne -b", entrypoint + procfile["web"]), "a second command line"


def test_asgi_and_celery_apps_import() -> None:
    from config.asgi import application
    from config.celery import app

    # the application Daphne serves answers a load balancer's /healthz through the whole
    # ASGI HTTP stack, on a host no tenant has
    communicator = HttpCommunicator(application, "GET", "/healthz", headers=[(b"host", b"x")])
    response = async_to_sync(communicator.get_response)(timeout=10)
    assert response["status"] == 200
    assert json.loads(response["body"]) == {"status": "ok"}
    app.loader.import_default_modules()  # what a worker does at start: every tasks module
    assert "tenants.tasks.provision_tenant" in app.tasks
    assert "tenants.tasks.fan_out_to_tenants" in app.tasks


def test_production_settings_pass_the_deploy_checks() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60 + "-production-like-secret-0123456789",
        "DJANGO_ALLOWED_HOSTS": ".aviso.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL="postgres://x@127.0.0.1/x",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.django_db
def test_health_answers_on_any_host_and_readiness_checks_services() -> None:
    client = Client(HTTP_HOST="10.1.2.3")
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "postgres": "ok", "redis": "ok"}


def test_every_beat_job_names_a_task_that_exists() -> None:
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name
        fanned_out = entry.get("kwargs", {}).get("task_name")
        if fanned_out:
            assert fanned_out in app.tasks, f"{name} fans out to a task that does not exist"


def test_every_requirement_is_pinned_in_a_lock_file() -> None:
    def names(path: Path) -> set[str]:
        found = set()
        for line in path.read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                found.add(re.split(r"[\[<>=!~ ;]", line)[0].lower().replace("_", "-"))
        return found

    def pinned(path: Path) -> set[str]:
        return {
            line.split("==")[0].lower()
            for line in path.read_text().splitlines()
            if "==" in line and not line.startswith(" ")
        }

    for source, lock in (
        ("requirements.in", "requirements.lock"),
        ("requirements-dev.in", "requirements-dev.lock"),
    ):
        missing = names(ROOT / source) - pinned(ROOT / lock)
        assert not missing, f"{source} lists {sorted(missing)} but {lock} does not pin them"
