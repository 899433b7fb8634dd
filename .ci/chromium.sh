#!/usr/bin/env bash
# Install Debian's chromium for the HTML report test (tests/reports/test_html_chromium.py).
# Idempotent: does nothing when a chromium binary is already on PATH. Prints the binary's path.
set -euo pipefail
for bin in chromium chromium-browser google-chrome; do
  if command -v "$bin" >/dev/null 2>&1; then command -v "$bin"; exit 0; fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo -n"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium
