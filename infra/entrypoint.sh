#!/bin/sh
# Container entry point: `web` runs migrations first (one replica should own that in a
# rollout; MIGRATE=0 skips it on the others), `worker` and `beat` wait for the database.
set -eu

wait_for_database() {
  until python manage.py shell -c "from django.db import connection; connection.ensure_connection()" >/dev/null 2>&1; do
    echo "waiting for the database..."; sleep 1
  done
}

case "${1:-web}" in
  web)
    wait_for_database
    if [ "${MIGRATE:-1}" = "1" ]; then
      python manage.py migrate_schemas --shared -v 0
      python manage.py platform_setup
      # Every tenant schema, in parallel; stops at the first failure naming the tenant, and
      # a rerun skips the schemas already migrated. Each process holds one connection.
      python manage.py migrate_tenants --processes "${MIGRATE_PROCESSES:-4}"
    fi
    # Daphne's options are in config/daphne_cmd.py (the Procfile and the tests use them too).
    exec python -m config.daphne_cmd --bind 0.0.0.0 --port "${PORT:-8000}" --proxy-headers
    ;;
  worker)
    wait_for_database
    exec celery -A config worker -l info --concurrency "${CELERY_CONCURRENCY:-4}"
    ;;
  beat)
    wait_for_database
    exec celery -A config beat -l info --schedule /tmp/celerybeat-schedule
    ;;
  *)
    exec "$@"
    ;;
esac
