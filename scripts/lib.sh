# Shared by ./run and ./run-tests: a venv with the locked dependencies, and running services.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

ensure_venv() {
  local stamp="$VENV/.locked"
  if [ ! -x "$PY" ]; then
    say "creating the virtualenv (.venv)"
    python3.11 -m venv "$VENV" 2>/dev/null || python3 -m venv "$VENV"
  fi
  # Reinstall only when a lock file changed since the last install.
  if [ ! -f "$stamp" ] || [ "$ROOT/requirements.lock" -nt "$stamp" ] || [ "$ROOT/requirements-dev.lock" -nt "$stamp" ]; then
    say "installing locked dependencies"
    # (this machine's pip.conf names local mirrors that may not exist: hide those warnings)
    "$PY" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.lock" \
      -r "$ROOT/requirements-dev.lock" 2> >(grep -v "^WARNING: Location" >&2)
    touch "$stamp"
  fi
}

# The browser tests' tools from the npm registry (axe-core; package-lock.json pins them):
# installed once, and again only when the lock changes. Nothing downloads them at test time.
ensure_node_modules() {
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "npm is missing: the browser tests need it for axe-core (apt-get install npm)" >&2
      return 0  # the accessibility test then fails and says so; every other check runs
    fi
    say "installing the browser tests' npm packages (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
    for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
  fi
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
}

ensure_redis() {
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    say "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
  fi
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
}

ensure_database() {
  local name="$1"
  if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1; then
    say "creating database $name"
    psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE \"$name\""
  fi
}

# The message catalogues (locale/*/LC_MESSAGES/*.po) are compiled here, never committed:
# every page in Spanish needs the .mo files. Only catalogues whose .po changed are rebuilt.
compile_messages() {
  if ! command -v msgfmt >/dev/null 2>&1; then
    say "installing gettext (msgfmt compiles the message catalogues)"
    { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; } ||
      { echo "msgfmt is missing: install GNU gettext (apt-get install gettext)" >&2; exit 1; }
  fi
  "$PY" manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules --ignore=var \
    --ignore=staticfiles --ignore=test-artifacts
}
