#!/usr/bin/env bash
# The aibom story end to end on the bundled samples, in a scratch directory.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/aibom-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r "$here/models/tiny-base" "$work/tiny-base"

echo "== a signing key for the demo (EC P-256)"
python3 - "$work" <<'PY'
import sys
from pathlib import Path
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = ec.generate_private_key(ec.SECP256R1())
out = Path(sys.argv[1])
(out / "demo.key").write_bytes(key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
(out / "demo.pub").write_bytes(key.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
PY

echo "== sign the sample model (OMS v1.0 bundle)"
aibom sign "$work/tiny-base" --private-key "$work/demo.key"

echo "== verify it"
aibom verify "$work/tiny-base" --public-key "$work/demo.pub"

echo "== tamper with one byte: verification must fail (exit 1)"
printf 'X' | dd of="$work/tiny-base/model.safetensors" bs=1 seek=200 conv=notrunc status=none
if aibom verify "$work/tiny-base" --public-key "$work/demo.pub"; then
  echo "demo: a tampered model verified" >&2
  exit 1
fi
echo "== demo complete"
