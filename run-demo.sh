#!/bin/sh
# Set up and run the app on its embedded default: SQLite in ./instance, demo data loaded
# through the importers, URL and one login per role printed. Ctrl-C stops the server.
set -eu
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
exec .venv/bin/scorecard demo "$@"
