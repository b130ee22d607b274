#!/usr/bin/env bash
# The project's Python tools in .venv (git-ignored): moto's DynamoDB-compatible server for the
# DynamoDB adapter's contract tests. Reinstalls only when scripts/requirements.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
stamp="$venv/.requirements.sha256"
want=$(sha256sum scripts/requirements.txt | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "==> installing Python test tools into $venv (one-off, about a minute)"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --quiet --disable-pip-version-check -r scripts/requirements.txt
echo "$want" > "$stamp"
