#!/usr/bin/env bash
# Until the first release, the schema is one initial revision regenerated from the models.
# After it ships, every model change gets its own revision: `flask db migrate -m "..."`.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f migrations/versions/0001_*.py
APP_ENV=development FLASK_APP=wsgi.py DATABASE_URL="sqlite:///$tmp/empty.sqlite3" \
  .venv/bin/flask db migrate -m "initial schema" --rev-id 0001 >/dev/null 2>&1
.venv/bin/ruff format -q migrations/versions/ || true
ls migrations/versions/
