#!/usr/bin/env bash
# The README's test command: installs everything the tests need, then lint, types and tests.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"

# Browser tests use Debian's chromium (never a browser download), and a Chinese font: without
# one Chromium prints Chinese as blanks, and the print-to-PDF tests read the text back.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-wqy-microhei)
if [ "${#need[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

python3 -m ruff check generator tests benchmarks
python3 -m mypy
python3 -m pytest "$@"
