#!/usr/bin/env bash
# Python tools in project-local virtualenvs (git-ignored), one per requirements file so their
# pins never fight: .venvs/<name> from scripts/requirements/<name>.txt. Reinstalls only when
# the requirements file changed; quick when nothing did.
#   scripts/ensure-venv.sh test      # moto (DynamoDB-compatible server for the contract tests)
#   scripts/ensure-venv.sh infra     # aws-sam-cli + cfn-lint
#   scripts/ensure-venv.sh checkov   # checkov
#   scripts/ensure-venv.sh lambda    # cargo-lambda + zig
set -euo pipefail
cd "$(dirname "$0")/.."

name=${1:?usage: ensure-venv.sh <name>}
requirements="scripts/requirements/$name.txt"
venv=".venvs/$name"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "==> installing $requirements into $venv (one-off)"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
echo "$want" > "$stamp"
