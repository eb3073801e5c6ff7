#!/usr/bin/env bash
# Debian's SoftHSM2, a software PKCS#11 token, for tests/oms/test_pkcs11.py (signing with
# keys held in a token). Idempotent: does nothing when softhsm2-util and its module exist.
set -euo pipefail
if command -v softhsm2-util >/dev/null 2>&1 && [ -f /usr/lib/softhsm/libsofthsm2.so ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "softhsm.sh: softhsm2 is missing and installing it needs root" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends softhsm2 >/dev/null
