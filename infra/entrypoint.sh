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
      python manage.py migrate_schemas --tenant -v 0
    fi
    # A 30 s handshake window: in a reconnect storm a slow accept beats a dropped handshake
    # that the client retries (Daphne's default is 5 s).
    exec daphne -b 0.0.0.0 -p "${PORT:-8000}" --proxy-headers \
      --websocket-max-message-size 131072 --websocket_connect_timeout 30 config.asgi:application
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
