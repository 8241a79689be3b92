#!/bin/sh
# Set up and run the whole test suite: system packages for the real-browser tests
# (Debian chromium + a CJK font), a virtualenv with the package and its test extras, pytest.
set -eu
cd "$(dirname "$0")"

need_apt=""
command -v chromium >/dev/null 2>&1 || need_apt="chromium"
fc-list 2>/dev/null | grep -qi "wenquanyi" || need_apt="$need_apt fonts-wqy-microhei"
if [ -n "$need_apt" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q $need_apt >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q $need_apt >/dev/null; }
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
exec .venv/bin/pytest "$@"
