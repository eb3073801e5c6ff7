#!/usr/bin/env bash
# The aibom story end to end on the bundled samples, in a scratch copy:
# sign and verify, build the provenance graph into a CycloneDX 1.7 AIBOM, verify the chain.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/aibom-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r "$here/models" "$here/datasets" "$here/keys" "$here/policy.yaml" "$work/"
cp -r "$here/hub" "$work/hub"  # links are copied as links
cd "$work"
step() { printf '\n== %s\n' "$*"; }

step "1. sign a new model with a fresh EC P-256 key, verify it, catch a one-byte change"
mkdir -p my-model && cp models/tiny-base/config.json models/tiny-base/model.safetensors my-model/
python3 - <<'PY'
from pathlib import Path
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = ec.generate_private_key(ec.SECP256R1())
Path("demo.key").write_bytes(key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
Path("demo.pub").write_bytes(key.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
PY
aibom sign my-model --private-key demo.key
aibom verify my-model --public-key demo.pub
printf 'X' | dd of=my-model/model.safetensors bs=1 seek=200 conv=notrunc status=none
if aibom verify my-model --public-key demo.pub; then echo "demo: tampering not caught" >&2; exit 1; fi

step "2. verify the sample family's signatures: keyless (offline), certificate chain, key"
aibom verify models/tiny-base --identity release@vendor.example \
  --identity-provider https://accounts.vendor.example --trust-config keys/vendor-trust-config.json
aibom verify models/tiny-chat --certificate-chain keys/acme-root.pem
aibom verify models/tiny-chat-lora --public-key keys/acme-pub.pem
aibom verify models/tiny-chat-q8 --public-key keys/acme-pub.pem

step "3. build the provenance graph into a CycloneDX 1.7 AIBOM"
aibom build models/tiny-chat-q8 --with models/tiny-chat --with models/tiny-chat-lora \
  --with models/tiny-base --with datasets/tiny-instruct --with datasets/tiny-corpus \
  -o aibom.cdx.json
aibom import aibom.cdx.json

step "4. verify the whole chain against the policy"
aibom verify-chain aibom.cdx.json --policy policy.yaml

step "5. swap one byte of the base weights: the chain must fail"
printf 'X' | dd of=models/tiny-base/model.safetensors bs=1 seek=300 conv=notrunc status=none
if aibom verify-chain aibom.cdx.json --policy policy.yaml; then
  echo "demo: a tampered chain verified" >&2; exit 1
fi
step "6. the same family in a Hugging Face hub cache: hf: references, verify, build, chain"
export HF_HUB_CACHE="$work/hub"
aibom verify hf:aibom-samples/tiny-chat --certificate-chain keys/acme-root.pem
aibom verify hf:aibom-samples/tiny-base --identity release@vendor.example \
  --identity-provider https://accounts.vendor.example --trust-config keys/vendor-trust-config.json
aibom build hf:aibom-samples/tiny-chat -o hub.cdx.json  # the base and datasets come from the cache
aibom import hub.cdx.json
aibom verify-chain hub.cdx.json --policy policy.yaml
chat_weights="$(readlink -f hub/models--aibom-samples--tiny-chat/snapshots/*/model.safetensors | head -1)"
printf 'X' | dd of="$chat_weights" bs=1 seek=300 conv=notrunc status=none
if aibom verify hf:aibom-samples/tiny-chat --certificate-chain keys/acme-root.pem; then
  echo "demo: a tampered blob verified" >&2; exit 1
fi
step "demo complete: every step behaved as it should"
