#!/usr/bin/env bash
# cdxgen's validator (`cdx-validate`, npm @cyclonedx/cdxgen) for tests/formats/test_auditors.py.
# Source it: it exports AIBOM_CDXGEN_VALIDATE. Installed without optional dependencies or
# install scripts (about 60 MB, 20 s) into a cache directory; idempotent.
set -euo pipefail
version=12.8.4
prefix="${XDG_CACHE_HOME:-$HOME/.cache}/aibom-ci/cdxgen-$version"
validate="$prefix/node_modules/.bin/cdx-validate"
if [ ! -x "$validate" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "cdxgen.sh: npm is missing (Node.js 20+ is needed for cdxgen's validator)" >&2
        return 1 2>/dev/null || exit 1
    fi
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --omit=optional --ignore-scripts \
        --loglevel=error "@cyclonedx/cdxgen@$version" >/dev/null
fi
export AIBOM_CDXGEN_VALIDATE="$validate"
