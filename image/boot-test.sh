#!/usr/bin/env bash
# Boot test of the Loket image: builds the amd64 twin when missing, boots it
# under QEMU (software emulation) with a simulated modem, checks the
# appliance. Options: see `image/boot-test.sh --help` (image/boot_test.py).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=$HERE/../.venv/bin/python
[ -x "$PY" ] || PY=python3
exec "$PY" "$HERE/boot_test.py" "$@"
