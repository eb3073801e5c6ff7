"""The attack catalogue: one named test per attack, each asserting the precise outcome.

Every test changes one thing in an otherwise valid artefact (signed with the trusted key,
a valid certificate chain, or a complete keyless bundle from the private Sigstore instance)
so that the thing changed is what must stop it. Expected outcomes: exit 1 (verification
failed) or exit 2 (bad input), or the InputError / VerificationError class, with a one-line
reason naming the cause; never "verified".

Attacks already covered by tests/oms/test_negative.py and tests/lineage/test_chain.py are
not repeated; the tests here extend them (other variants, other entry points). The table in
docs/security.md maps every attack to the test that proves it and the code that stops it.

Every attack found to succeed or crash aibom while this catalogue was written has been
fixed; docs/security.md lists them with their fixes.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import os
import shutil
import sqlite3
import stat
import struct
import time
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from support import pki
from support.cli import assert_clean_outcome as clean_outcome
from support.cli import assert_one_line_failure as one_line
from support.cli import run_cli
from support.models import flip_byte, make_model, small_model

from aibom.errors import AibomError, InputError, VerificationError
from aibom.lineage.attest import Artifact, parse_lineage, read_lineage, statement
from aibom.oms import dsse
from aibom.oms import sign as signing
from aibom.oms.bundle import parse_bundle
from aibom.oms.cache import RACY_WINDOW_NS
from aibom.oms.model import INTOTO_PAYLOAD_TYPE, PREDICATE_LEGACY, STATEMENT_TYPE

from .helpers import (
    SECRET_TEXT,
    VENDOR_IDENTITY,
    VENDOR_ISSUER,
    b64,
    forge_keyless,
    key_bundle,
    keyless_args,
    load_key,
    oms_statement,
    payload_bytes,
    read_doc,
    resign_checkpoint,
    resources_of,
    sha256_hex,
    spying,
    statement_of,
    verify_key,
    write_doc,
)

NOW = pki.now()
HOUR = dt.timedelta(hours=1)


def signer_of(keypair: pki.KeyPair) -> signing.KeySigner:
    return signing.KeySigner(keypair.private_path.read_bytes())


def sign_statement(doc: dict[str, Any], keypair: pki.KeyPair) -> dict[str, Any]:
    """The statement serialized and signed, correctly, by the trusted key."""
    return signing.sign_payload(json.dumps(doc).encode(), signer_of(keypair))


def parse(doc: dict[str, Any]) -> Any:
    return parse_bundle(json.dumps(doc).encode(), source="hostile.sig")


def refused(exc_info: pytest.ExceptionInfo[AibomError], kind: type, *needles: str) -> str:
    """The exception is exactly `kind` and its one line names every needle."""
    assert type(exc_info.value) is kind, type(exc_info.value)
    line = exc_info.value.one_line()
    assert "\n" not in line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


def names_statement(names: list[str], method: str, digests: list[str] | None = None) -> dict:
    """A statement listing `names` (as files, shards or legacy v0.1 subjects)."""
    digests = digests or [sha256_hex(n.encode("utf-8", "surrogatepass")) for n in names]
    if method == "legacy":
        return {
            "_type": STATEMENT_TYPE,
            "subject": [{"name": n, "digest": {"sha256": d}}
                        for n, d in zip(names, digests, strict=True)],
            "predicateType": PREDICATE_LEGACY,
            "predicate": {"unused": "Unused"},
        }
    if method == "shards":
        ser = {"method": "shards", "hash_type": "sha256", "allow_symlinks": False,
               "shard_size": 1 << 20}
        resources = [{"name": f"{n}:0:1", "algorithm": "sha256", "digest": d}
                     for n, d in zip(names, digests, strict=True)]
        return oms_statement(resources, serialization_=ser)
    resources = [{"name": n, "algorithm": "sha256", "digest": d}
                 for n, d in zip(names, digests, strict=True)]
    return oms_statement(resources)


METHODS = ["files", "shards", "legacy"]


# == 1. resource names that try to leave the model ==========================================
# (test_negative.py::test_traversal_resource_name covers ../x, /etc/passwd, NUL, ..\\ through
#  the CLI for files and shards; these add more spellings and the legacy v0.1 predicate.)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["..", "sub/..", "a/../b", "../", "sub/../../../etc/shadow",
                                  "sub/./tokenizer.json", "sub//tokenizer.json"], ids=repr)
def test_resource_name_with_dot_dot(name, method, keypair):
    with pytest.raises(InputError) as exc:
        parse(sign_statement(names_statement([name], method), keypair))
    refused(exc, InputError, "resource name", "not a canonical relative path")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["/", "//server/share/w.bin", "/proc/self/environ"], ids=repr)
def test_resource_name_absolute_path(name, method, keypair):
    with pytest.raises(InputError) as exc:
        parse(sign_statement(names_statement([name], method), keypair))
    refused(exc, InputError, "resource name", "is absolute")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["\x00", "weights.bin\x00.txt", "sub/\x00/x"], ids=repr)
def test_resource_name_with_nul(name, method, keypair):
    with pytest.raises(InputError) as exc:
        parse(sign_statement(names_statement([name], method), keypair))
    refused(exc, InputError, "resource name", "contains NUL")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", ["sub\\tokenizer.json", "C:\\Windows\\win.ini", "..\\..\\x"],
                         ids=repr)
def test_resource_name_with_backslash(name, method, keypair):
    """On Windows `sub\\tokenizer.json` would alias `sub/tokenizer.json`: refused everywhere."""
    with pytest.raises(InputError) as exc:
        parse(sign_statement(names_statement([name], method), keypair))
    refused(exc, InputError, "resource name", "contains a backslash")


# == 2. names that collide on disk ===========================================================


def test_case_colliding_resource_names_stay_distinct(tmp_path, keypair):
    """Model.bin and model.bin are two files on a case-sensitive file system: each keeps its
    own digest, swapping their contents is caught, and one cannot stand in for the other."""
    model = make_model(tmp_path / "model", {"model.bin": b"lower", "Model.bin": b"UPPER"})
    if len(list(model.iterdir())) != 2:
        pytest.skip("case-insensitive file system")
    signing.sign_model(model, model / "model.sig", signer_of(keypair))
    assert verify_key(model, keypair.public_path).code == 0

    (model / "model.bin").write_bytes(b"UPPER")
    (model / "Model.bin").write_bytes(b"lower")
    one_line(verify_key(model, keypair.public_path), (1,), "modified: Model.bin, model.bin")

    # Signed: model.bin only. On disk: Model.bin only, with model.bin's signed content.
    (model / "model.bin").unlink()
    (model / "Model.bin").write_bytes(b"lower")
    doc = names_statement(["model.bin"], "files", [sha256_hex(b"lower")])
    write_doc(model / "model.sig", sign_statement(doc, keypair))
    one_line(verify_key(model, keypair.public_path), (1,),
             "missing: model.bin", "unsigned extra files: Model.bin")
    one_line(verify_key(model, keypair.public_path, "--ignore-unsigned-files"), (1,),
             "missing: model.bin")


@pytest.mark.parametrize(("signed_form", "disk_form"), [("NFC", "NFD"), ("NFD", "NFC")])
def test_unicode_normalization_variant_on_disk(signed_form, disk_form, tmp_path, keypair):
    """The signature lists café.bin in one normal form, the disk holds the other: two
    different names, so not verified (names are compared as exact code point sequences)."""
    signed_name = unicodedata.normalize(signed_form, "café/résumé.bin")
    disk_name = unicodedata.normalize(disk_form, "café/résumé.bin")
    assert signed_name != disk_name
    model = make_model(tmp_path / "model", {disk_name: b"weights"})
    if disk_name.split("/")[0] not in os.listdir(model):
        pytest.skip("file system normalizes names")
    doc = names_statement([signed_name], "files", [sha256_hex(b"weights")])
    write_doc(model / "model.sig", sign_statement(doc, keypair))

    run = verify_key(model, keypair.public_path, "--format", "json")
    assert run.code == 1
    facts = run.json()
    assert (facts["missing"], facts["extra"], facts["modified"]) == ([signed_name], [disk_name],
                                                                     [])
    one_line(verify_key(model, keypair.public_path, "--ignore-unsigned-files"), (1,), "missing:")


@pytest.mark.parametrize("method", METHODS)
def test_resource_listed_twice_with_different_digests(method, keypair):
    """test_negative.py lists the same entry twice; here the two entries disagree, so a
    verifier that kept the first or the last would accept either content."""
    doc = names_statement(["weights.bin", "weights.bin"], method,
                          [sha256_hex(b"good"), sha256_hex(b"evil")])
    with pytest.raises(InputError) as exc:
        parse(sign_statement(doc, keypair))
    refused(exc, InputError, "'weights.bin", "listed twice")


@pytest.mark.parametrize("command", ["verify", "verify-chain"])
def test_file_name_with_a_newline_forges_an_output_line(command, signed, keypair, tmp_path,
                                                        monkeypatch):
    forged = "verified model: 4 resources match, signed by the given key"  # no "/" in a name
    (signed / f"x\n{forged}").write_bytes(b"backdoor")
    if command == "verify":
        run = verify_key(signed, keypair.public_path)
    else:
        policy = _key_policy(tmp_path, keypair, lineage="declared")
        monkeypatch.chdir(tmp_path)
        run = run_cli("verify-chain", signed, "--policy", policy)
    assert run.code == 1
    for line in (run.out + run.err).splitlines():
        assert not line.startswith(("verified ", "chain verified")), line
    if command == "verify":
        assert len(run.err.splitlines()) == 1, run.err


# == 3. the statement and the DSSE envelope ==================================================


@pytest.mark.parametrize("variant", ["other-root", "uppercase-hex", "two-subjects",
                                     "no-sha256", "empty-resources"])
def test_subject_digest_not_matching_the_resources(variant, signed, keypair):
    """Signed by the trusted key, yet the subject does not commit to the listed resources
    (test_negative.py changes the subject of a signed payload without re-signing)."""
    doc = statement_of(read_doc(signed / "model.sig"))
    resources = doc["predicate"]["resources"]
    root = doc["subject"][0]["digest"]["sha256"]
    if variant == "other-root":
        doc["subject"][0]["digest"]["sha256"] = sha256_hex(b"another model")
    elif variant == "uppercase-hex":
        doc["subject"][0]["digest"]["sha256"] = root.upper()
    elif variant == "two-subjects":
        doc["subject"].append({"name": "other", "digest": {"sha256": sha256_hex(b"x")}})
    elif variant == "no-sha256":
        doc["subject"][0]["digest"] = {"sha512": "ab" * 64}
    else:
        resources.clear()
    write_doc(signed / "model.sig", sign_statement(doc, keypair))
    one_line(verify_key(signed, keypair.public_path), (1, 2), "subject")


@pytest.mark.parametrize("field", ["algorithm", "name", "digest"])
@pytest.mark.parametrize("value", [["sha256"], {"sha256": 1}, 7, None], ids=repr)
def test_resource_field_of_the_wrong_type_past_the_first(field, value, signed, keypair):
    """Every resource is checked by hand (oms/_shape.py, linear); a list or an object past
    the first must be refused like any other wrong value, not raise TypeError (found by the
    fuzzer: `in` over a set hashes the untrusted value, so the allowed names are a tuple)."""
    doc = statement_of(read_doc(signed / "model.sig"))
    doc["predicate"]["resources"][-1][field] = value
    with pytest.raises(InputError) as exc:
        parse(sign_statement(doc, keypair))
    refused(exc, InputError, f"predicate/resources/3/{field}", "OMS statement schema")


@pytest.mark.parametrize("payload_type", ["application/json", "application/vnd.in-toto+JSON",
                                          "application/vnd.in-toto+json; charset=utf-8",
                                          "", "text/plain"])
def test_payload_type_swap(payload_type, signed, keypair):
    """The envelope claims another payload type and the signature is valid for exactly that
    type (test_negative.py swaps the type under a signature that no longer matches)."""
    payload = payload_bytes(read_doc(signed / "model.sig"))
    bundle = key_bundle(payload, load_key(keypair.private_path), payload_type=payload_type)
    write_doc(signed / "model.sig", bundle)
    one_line(verify_key(signed, keypair.public_path), (2,), "payloadType")


def test_hand_signed_envelope_control_verifies(signed, keypair):
    """Control for the PAE attacks below: the same hand-made envelope over the right PAE
    verifies, so their failure is the PAE's doing."""
    payload = payload_bytes(read_doc(signed / "model.sig"))
    write_doc(signed / "model.sig", key_bundle(payload, load_key(keypair.private_path)))
    assert verify_key(signed, keypair.public_path).code == 0


def _pae_variant(how: str, payload: bytes) -> bytes:
    t = INTOTO_PAYLOAD_TYPE.encode()
    return {
        "signed-as-another-type": dsse.pae("application/json", payload),
        "payload-length-plus-one": b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload) + 1,
                                                            payload),
        "type-length-minus-one": b"DSSEv1 %d %s %d %s" % (len(t) - 1, t, len(payload), payload),
        "no-pae-raw-payload": payload,
        "v0.2-encoding-on-a-v1.1-bundle": dsse.pae_v02_compat(payload),
        "pae-of-another-payload": dsse.pae(INTOTO_PAYLOAD_TYPE, payload.replace(b"sha256",
                                                                                b"SHA256", 1)),
    }[how]


@pytest.mark.parametrize("how", ["signed-as-another-type", "payload-length-plus-one",
                                 "type-length-minus-one", "no-pae-raw-payload",
                                 "v0.2-encoding-on-a-v1.1-bundle", "pae-of-another-payload"])
def test_dsse_pae_mismatch(how, signed, keypair):
    """A real signature by the trusted key, over bytes that are not PAE(type, payload)."""
    payload = payload_bytes(read_doc(signed / "model.sig"))
    bundle = key_bundle(payload, load_key(keypair.private_path), pae=_pae_variant(how, payload))
    write_doc(signed / "model.sig", bundle)
    one_line(verify_key(signed, keypair.public_path), (1,), "bad signature")


def test_v02_pae_encoding_on_a_modern_single_file_bundle(tmp_path, keypair):
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights")
    signing.sign_model(model, tmp_path / "model.bin.sig", signer_of(keypair))
    payload = payload_bytes(read_doc(tmp_path / "model.bin.sig"))
    bundle = key_bundle(payload, load_key(keypair.private_path),
                        pae=dsse.pae_v02_compat(payload))
    write_doc(tmp_path / "model.bin.sig", bundle)
    one_line(verify_key(model, keypair.public_path), (1,), "bad signature")


@pytest.mark.parametrize("how", ["valid-then-junk", "junk-then-valid",
                                 "valid-and-another-keys", "none"])
def test_several_signatures_in_one_envelope(how, signed, keypair, tmp_path):
    """test_negative.py duplicates the one valid signature; these mix a valid one with
    others in either order, or carry none."""
    doc = read_doc(signed / "model.sig")
    good = doc["dsseEnvelope"]["signatures"][0]
    other = pki.ec_key()
    payload = payload_bytes(doc)
    others = {
        "valid-then-junk": [good, {"sig": b64(b"\x30\x06\x02\x01\x01\x02\x01\x01")}],
        "junk-then-valid": [{"sig": b64(b"junk")}, good],
        "valid-and-another-keys": [
            good, {"sig": b64(other.sign(dsse.pae(INTOTO_PAYLOAD_TYPE, payload),
                                         ec.ECDSA(dsse.curve_hash(other))))}],
        "none": [],
    }[how]
    doc["dsseEnvelope"]["signatures"] = others
    write_doc(signed / "model.sig", doc)
    one_line(verify_key(signed, keypair.public_path), (2,), "signature")


def test_statement_type_confusion_lineage_vs_model_signature(signed, keypair):
    """A lineage attestation and an OMS signature are both DSSE in-toto statements signed by
    the same keys: neither may be read as the other."""
    payload = statement(Artifact("model", "1" * 64), "finetune", [Artifact("base", "2" * 64)],
                        [])
    lineage_bundle = signing.sign_payload(payload, signer_of(keypair))
    model_sig = (signed / "model.sig").read_bytes()

    write_doc(signed / "model.sig", lineage_bundle)
    one_line(verify_key(signed, keypair.public_path), (1,), "unsupported predicateType",
             "lineage")
    with pytest.raises(InputError) as exc:
        parse_lineage(model_sig)
    refused(exc, InputError, "not an aibom lineage attestation")


@pytest.mark.parametrize("digest", [["1" * 64], "1" * 64, 7, {"sha256": ["1" * 64]}], ids=repr)
def test_junk_lineage_attestation_beside_a_model(digest, tmp_path, monkeypatch):
    """An unsigned lineage.sig whose subject digest has the wrong shape: `build` (which reads
    it, unverified) warns and carries on; parse_lineage refuses it. It raised AttributeError
    out of lineage/attest.py parse_lineage before (found by the fuzzer; fixed there)."""
    model = small_model(tmp_path / "model")
    doc = {"_type": STATEMENT_TYPE, "predicateType": "https://aibom.dev/lineage/v1",
           "subject": [{"name": "model", "digest": digest}],
           "predicate": {"relation": None, "parents": [], "datasets": []}}
    raw = json.dumps(key_bundle(json.dumps(doc).encode(), pki.ec_key())).encode()
    (model / "lineage.sig").write_bytes(raw)
    with pytest.raises(InputError) as exc:
        parse_lineage(raw)
    refused(exc, InputError, "subject lacks a sha256 root digest")
    monkeypatch.chdir(tmp_path)
    run = run_cli("build", "model", "-o", "out.cdx.json")
    clean_outcome(run, (0,))
    assert "unreadable lineage attestation ignored" in run.err


def _key_policy(folder: Path, keypair: pki.KeyPair, *, legacy: str = "allow",
                lineage: str = "declared") -> Path:
    shutil.copy(keypair.public_path, folder / "signer.pub.pem")
    path = folder / "policy.yaml"
    path.write_text(
        "version: 1\n"
        "publishers:\n  - name: acme\n    public_key: signer.pub.pem\n"
        "rules:\n  - match: '*'\n    publishers: [acme]\n"
        f"require:\n  signatures: all\n  lineage: {lineage}\n  scan: none\n"
        f"  legacy_predicate: {legacy}\n"
    )
    return path


def test_legacy_predicate_downgrade_forbidden_by_policy(tmp_path, keypair, monkeypatch):
    """A model signed, by the trusted key, in the deprecated Digests/v0.1 format (no
    serialization, no ignore paths, the v0.2 PAE fallback): `aibom verify` accepts it, a
    policy with `legacy_predicate: forbid` does not."""
    model = small_model(tmp_path / "model")
    files = resources_of(model)
    doc = names_statement([r["name"] for r in files], "legacy", [r["digest"] for r in files])
    write_doc(model / "model.sig", sign_statement(doc, keypair))
    assert verify_key(model, keypair.public_path).code == 0  # legacy is still verifiable

    monkeypatch.chdir(tmp_path)
    allow = _key_policy(tmp_path, keypair, legacy="allow")
    run = run_cli("verify-chain", "model", "--policy", allow, "--format", "json")
    assert run.code == 0, run.out

    forbid = _key_policy(tmp_path, keypair, legacy="forbid")
    run = run_cli("verify-chain", "model", "--policy", forbid, "--format", "json")
    assert run.code == 1
    failed = [c for c in run.json()["checks"] if c["status"] == "failed"]
    assert [(c["rule"], c["subject"]) for c in failed] == [("aibom/legacy", "model:model")]
    assert "forbidden by policy" in failed[0]["reason"]


def _nested(depth: int) -> str:
    return "[" * depth + "0" + "]" * depth


@pytest.mark.parametrize("where", ["statement-subject", "bundle-key-hint", "lineage-parents"])
def test_json_nested_just_below_the_parser_limit(where, signed, keypair):
    """Depths 850..999 sweep the window between 'the parser refuses' and 'the schema check
    overflows', wherever the stack is when the reader runs."""
    doc = read_doc(signed / "model.sig")
    for depth in range(850, 1000, 3):
        if where == "statement-subject":
            text = json.dumps({**statement_of(doc), "subject": "@@"})
            bundle = copy.deepcopy(doc)
            bundle["dsseEnvelope"]["payload"] = b64(text.replace('"@@"', _nested(depth))
                                                    .encode())
            raw, reader = json.dumps(bundle).encode(), parse_bundle
        elif where == "bundle-key-hint":
            bundle = copy.deepcopy(doc)
            bundle["verificationMaterial"]["publicKey"]["hint"] = "@@"
            raw, reader = json.dumps(bundle).replace('"@@"', _nested(depth)).encode(), \
                parse_bundle
        else:
            text = statement(Artifact("m", "1" * 64), "finetune", [Artifact("b", "2" * 64)], [])
            text = text.replace(b'"parents":[', b'"parents":[' + _nested(depth).encode() + b",")
            raw, reader = json.dumps(signing.sign_payload(text, signer_of(keypair))).encode(), \
                parse_lineage
        with contextlib.suppress(AibomError):
            reader(raw)


# == 4. certificate chains (the `certificate` method) ========================================
# (test_negative.py::test_bad_certificate_chain: serverAuth EKU, no digitalSignature,
#  intermediate CA:FALSE, no keyCertSign, expired and future intermediates.)


def _sign_with_chain(model: Path, leaf_key: ec.EllipticCurvePrivateKey, leaf: x509.Certificate,
                     *chain: x509.Certificate) -> None:
    signing.sign_model(model, model / "model.sig", signing.CertificateSigner(
        pki.private_pem(leaf_key), pki.cert_pem(leaf), (pki.cert_pem(*chain),) if chain else ()))


def _leaf_extensions(eku: tuple = (ExtendedKeyUsageOID.CODE_SIGNING,)) -> list:
    return [(x509.BasicConstraints(ca=False, path_length=None), True),
            (pki._leaf_key_usage(True), True),
            (x509.ExtendedKeyUsage(list(eku)), False)]


def test_certificate_leaf_with_any_extended_key_usage_only(tmp_path):
    bad = pki.make_chain(tmp_path / "pki", name="anyeku",
                         leaf_eku=(ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,))
    model = small_model(tmp_path / "model")
    _sign_with_chain(model, bad.leaf_key, bad.leaf, bad.intermediate)
    one_line(run_cli("verify", model, "--certificate-chain", bad.root_path), (1,),
             "extendedKeyUsage lacks codeSigning")


def test_code_signing_leaf_used_as_an_intermediate(tmp_path, chain):
    """The holder of a valid code-signing leaf (CA:FALSE) mints a certificate for a key of
    its choosing and presents [new leaf, its own leaf, intermediate]."""
    evil_key = pki.ec_key()
    evil = pki._build("evil signer", evil_key.public_key(), chain.leaf.subject, chain.leaf_key,
                      NOW - pki.DAY / 2, NOW + pki.DAY, _leaf_extensions())
    model = small_model(tmp_path / "model")
    _sign_with_chain(model, evil_key, evil, chain.leaf, chain.intermediate)
    one_line(run_cli("verify", model, "--certificate-chain", chain.root_path), (1,),
             "is not a CA")


def test_intermediate_without_basic_constraints(tmp_path, chain):
    """test_negative.py has an intermediate with CA:FALSE; this one has no basicConstraints
    extension at all (keyCertSign alone must not make a CA)."""
    key = pki.ec_key()
    bare = pki._build("bare intermediate", key.public_key(), chain.root.subject, chain.root_key,
                      NOW - 10 * pki.DAY, NOW + 10 * pki.DAY, [(pki._ca_key_usage(), True)])
    leaf_key = pki.ec_key()
    leaf = pki._build("signer", leaf_key.public_key(), bare.subject, key, NOW - pki.DAY,
                      NOW + pki.DAY, _leaf_extensions())
    model = small_model(tmp_path / "model")
    _sign_with_chain(model, leaf_key, leaf, bare)
    one_line(run_cli("verify", model, "--certificate-chain", chain.root_path), (1,),
             "is not a CA (basicConstraints CA:TRUE missing)")


def test_intermediate_path_length_exceeded(tmp_path, chain):
    """The intermediate has pathLenConstraint 0 and issues a sub-CA anyway."""
    sub_key = pki.ec_key()
    sub = pki._build("sub CA", sub_key.public_key(), chain.intermediate.subject,
                     chain.intermediate_key, NOW - 10 * pki.DAY, NOW + 10 * pki.DAY,
                     [(x509.BasicConstraints(ca=True, path_length=None), True),
                      (pki._ca_key_usage(), True)])
    leaf_key = pki.ec_key()
    leaf = pki._build("deep signer", leaf_key.public_key(), sub.subject, sub_key,
                      NOW - pki.DAY, NOW + pki.DAY, _leaf_extensions())
    model = small_model(tmp_path / "model")
    _sign_with_chain(model, leaf_key, leaf, sub, chain.intermediate)
    one_line(run_cli("verify", model, "--certificate-chain", chain.root_path), (1,),
             "path length exceeded")


# == 5. keyless: the Fulcio-like leaf and the Rekor-like log ==================================


def _keyless(signed: Path, sigstore: Any, bundle: dict[str, Any], identity: str = VENDOR_IDENTITY,
             issuer: str = VENDOR_ISSUER):
    write_doc(signed / "model.sig", bundle)
    return run_cli("verify", signed, *keyless_args(sigstore, identity, issuer))


def _payload(signed: Path) -> bytes:
    return payload_bytes(read_doc(signed / "model.sig"))


def test_hand_built_keyless_bundle_control_verifies(signed, private_sigstore):
    """Control for every keyless attack: the bundle assembled by hand, unchanged, verifies;
    each attack below changes one thing in it."""
    forged = forge_keyless(private_sigstore, _payload(signed))
    run = _keyless(signed, private_sigstore, forged.bundle)
    assert run.code == 0, run.err
    assert run.out.startswith(f"verified {signed}")


def test_keyless_leaf_with_wrong_eku(signed, private_sigstore):
    forged = forge_keyless(private_sigstore, _payload(signed),
                           ekus=(ExtendedKeyUsageOID.SERVER_AUTH,))
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,),
             "Sigstore verification failed", "code signing")


def test_keyless_leaf_expired_at_integrated_time(signed, private_sigstore):
    """A leaf whose ten minutes ended an hour before the log integrated the entry."""
    now = pki.now()
    forged = forge_keyless(private_sigstore, _payload(signed), not_before=now - 2 * HOUR,
                           not_after=now - HOUR)
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,),
             "Sigstore verification failed", "not valid at validation time")


def test_keyless_leaf_not_yet_valid_at_integrated_time(signed, private_sigstore):
    now = pki.now()
    forged = forge_keyless(private_sigstore, _payload(signed), not_before=now + HOUR,
                           not_after=now + 2 * HOUR)
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,),
             "Sigstore verification failed", "not valid at validation time")


def test_integrated_time_moved_into_the_leaf_validity(signed, private_sigstore):
    """The expired leaf again, with integratedTime edited to fall inside its validity: the
    signed entry timestamp (SET) covers integratedTime, so the edit breaks it."""
    now = pki.now()
    forged = forge_keyless(private_sigstore, _payload(signed), not_before=now - 2 * HOUR,
                           not_after=now - HOUR)
    entry = forged.bundle["verificationMaterial"]["tlogEntries"][0]
    entry["integratedTime"] = str(int((now - 1.5 * HOUR).timestamp()))
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,),
             "Sigstore verification failed", "inclusion promise")


def test_keyless_entry_without_inclusion_promise(signed, private_sigstore):
    """Without the SET the log gives no trusted time, and keyless needs one."""
    forged = forge_keyless(private_sigstore, _payload(signed))
    del forged.bundle["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"]
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1, 2),
             "inclusion promise")


def test_keyless_leaf_from_a_look_alike_ca(signed, private_sigstore):
    """A self-made CA with the same subject as the private Fulcio intermediate."""
    ca = private_sigstore.ca
    rogue_key = pki.ec_key()
    rogue = pki._build("rogue", rogue_key.public_key(), ca.intermediate_cert.subject, rogue_key,
                       NOW - pki.DAY, NOW + pki.DAY,
                       [(x509.BasicConstraints(ca=True, path_length=0), True),
                        (pki._ca_key_usage(), True)])
    rogue = x509.load_der_x509_certificate(rogue.public_bytes(pki.serialization.Encoding.DER))
    forged = forge_keyless(private_sigstore, _payload(signed), signing_key=rogue_key,
                           issuer_cert=rogue)
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,),
             "Sigstore verification failed")


@pytest.mark.parametrize("identity", [
    "release@vendor.example.evil.test",
    "release@vendor.example.evil",
    "Release@vendor.example",
    "release@VENDOR.example",
    "release@vendor.example.",
    "release@vendor.exampl",
    "release@" + "v\u0435ndor".encode("idna").decode() + ".example",  # Cyrillic ie, A-label
    x509.UniformResourceIdentifier("mailto:release@vendor.example"),
], ids=repr)
def test_san_look_alike_identity(identity, signed, private_sigstore):
    """A complete, valid keyless bundle for an identity that looks like the vendor's."""
    forged = forge_keyless(private_sigstore, _payload(signed), identity)
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,), "wrong identity",
             repr(VENDOR_IDENTITY))


@pytest.mark.parametrize("issuer", [
    "https://accounts.vendor.example.evil.test",
    "https://accounts.vendor.example/",
    "http://accounts.vendor.example",
    "https://ACCOUNTS.vendor.example",
    "https://evil.test/https://accounts.vendor.example",
])
def test_issuer_confusion_same_identity_other_issuer(issuer, signed, private_sigstore):
    forged = forge_keyless(private_sigstore, _payload(signed), VENDOR_IDENTITY, issuer)
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,), "wrong issuer")


@pytest.mark.parametrize(("v1", "v2", "needle"), [
    ("https://evil.test", VENDOR_ISSUER, "Sigstore verification failed"),  # sigstore: v1
    (VENDOR_ISSUER, "https://evil.test", "wrong issuer"),  # aibom: v2
])
def test_issuer_confusion_v1_and_v2_issuer_extensions_disagree(v1, v2, needle, signed,
                                                               private_sigstore, monkeypatch):
    """aibom reads the v2 issuer extension (1.3.6.1.4.1.57264.1.8), sigstore's policy the v1
    one (…1.1): a leaf whose two extensions disagree must fail one or the other check."""
    import sigstore_instance.ca as ca_module

    real = ca_module.der_utf8_string
    monkeypatch.setattr(ca_module, "der_utf8_string", lambda _issuer: real(v2))
    forged = forge_keyless(private_sigstore, _payload(signed), VENDOR_IDENTITY, v1)
    monkeypatch.undo()
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,), needle)


def test_tlog_entry_copied_from_another_bundle(signed, private_sigstore, tmp_path, keypair):
    """The log entry of another artifact, same identity, pasted into this bundle."""
    other = small_model(tmp_path / "other")
    (other / "extra.bin").write_bytes(b"other artifact")
    signing.sign_model(other, other / "model.sig", signer_of(keypair))
    theirs = forge_keyless(private_sigstore, _payload(other))
    mine = forge_keyless(private_sigstore, _payload(signed))
    material = mine.bundle["verificationMaterial"]
    material["tlogEntries"] = theirs.bundle["verificationMaterial"]["tlogEntries"]
    one_line(_keyless(signed, private_sigstore, mine.bundle), (1,),
             "Sigstore verification failed", "log entry")


@pytest.mark.parametrize("how", ["root-hash", "extra-hash", "tree-size", "log-index"])
def test_inclusion_proof_that_does_not_match(how, signed, private_sigstore):
    forged = forge_keyless(private_sigstore, _payload(signed))
    entry = forged.bundle["verificationMaterial"]["tlogEntries"][0]
    proof = entry["inclusionProof"]
    if how == "root-hash":
        proof["rootHash"] = b64(bytes(32))
    elif how == "extra-hash":
        proof["hashes"].append(b64(bytes(32)))
    elif how == "tree-size":
        proof["treeSize"] = str(int(proof["treeSize"]) + 1)
    else:
        proof["logIndex"] = entry["logIndex"] = str(max(0, int(entry["logIndex"]) - 1))
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,),
             "Sigstore verification failed", "inclusion")


def test_checkpoint_signed_by_another_key(signed, private_sigstore):
    """The same note (origin, tree size, root hash), signed by a key that is not the log's,
    under the log's own key hint."""
    forged = forge_keyless(private_sigstore, _payload(signed))
    checkpoint = forged.bundle["verificationMaterial"]["tlogEntries"][0]["inclusionProof"][
        "checkpoint"]
    checkpoint["envelope"] = resign_checkpoint(checkpoint["envelope"], pki.ec_key(),
                                               private_sigstore.rekor.log_id)
    one_line(_keyless(signed, private_sigstore, forged.bundle), (1,),
             "Sigstore verification failed", "checkpoint")


# == 6. size and depth ===================================================================

HUGE = 100 << 20  # 100 MiB of padding after an otherwise valid document


def _padded(path: Path, document: bytes) -> Path:
    """A valid JSON (and YAML) document followed by 100 MiB of whitespace: still valid, just
    too big to be read."""
    with open(path, "wb") as handle:
        handle.write(document)
        chunk = b" " * (8 << 20)
        for _ in range(HUGE // len(chunk)):
            handle.write(chunk)
    return path


@pytest.mark.parametrize("what", ["bundle", "aibom", "policy", "lineage"])
def test_100_mb_json(what, signed, keypair, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    try:
        if what == "bundle":
            big = _padded(tmp_path / "big.sig", (signed / "model.sig").read_bytes())
            one_line(verify_key(signed, keypair.public_path, "--signature", big), (2,),
                     "larger than 64 MiB")
        elif what == "aibom":
            assert run_cli("build", signed, "-o", tmp_path / "a.json").code == 0
            big = _padded(tmp_path / "big.cdx.json", (tmp_path / "a.json").read_bytes())
            one_line(run_cli("import", big), (2,), "larger than 64 MiB")
        elif what == "policy":
            policy = _key_policy(tmp_path, keypair)
            big = _padded(tmp_path / "big.yaml", policy.read_bytes())
            one_line(run_cli("verify-chain", signed, "--policy", big), (2,),
                     "larger than 1 MiB")
        else:
            payload = statement(Artifact("m", "1" * 64), None, [], [])
            lineage = json.dumps(signing.sign_payload(payload, signer_of(keypair))).encode()
            big = _padded(tmp_path / "lineage.sig", lineage)
            with pytest.raises(InputError) as exc:
                read_lineage(big)
            refused(exc, InputError, "larger than 64 MiB")
    finally:
        for path in tmp_path.glob("big*"):
            path.unlink()
        (tmp_path / "lineage.sig").unlink(missing_ok=True)


DEEP = 100_000


@pytest.mark.parametrize("what", ["bundle", "statement-payload", "aibom", "policy", "lineage"])
def test_deeply_nested_json(what, signed, keypair, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    deep = "[" * DEEP + "]" * DEEP
    if what == "bundle":
        (tmp_path / "deep.sig").write_text(deep)
        one_line(verify_key(signed, keypair.public_path, "--signature", tmp_path / "deep.sig"),
                 (2,), "nested too deeply")
    elif what == "statement-payload":
        doc = read_doc(signed / "model.sig")
        doc["dsseEnvelope"]["payload"] = b64(deep.encode())
        write_doc(signed / "model.sig", doc)
        one_line(verify_key(signed, keypair.public_path), (2,), "payload is nested too deeply")
    elif what == "aibom":
        (tmp_path / "deep.cdx.json").write_text('{"bomFormat": "CycloneDX", "components": '
                                                + deep + "}")
        one_line(run_cli("import", tmp_path / "deep.cdx.json"), (2,), "nested too deeply")
    elif what == "policy":
        (tmp_path / "deep.yaml").write_text("version: 1\npublishers: " + deep + "\n")
        one_line(run_cli("verify-chain", signed, "--policy", tmp_path / "deep.yaml"), (2,),
                 "nested deeper than 64 levels")
    else:
        with pytest.raises(InputError) as exc:
            parse_lineage(deep.encode())
        refused(exc, InputError, "nested too deeply")


def test_safetensors_header_claiming_10_gb(tmp_path, monkeypatch):
    """test_safetensors.py calls the reader; here the whole `aibom build` meets a 10 GB
    header length (and a GGUF claiming 2**63 tensors and 2**40 metadata entries) in a
    16-byte file: it reads a few bytes, warns, and finishes at once."""
    model = small_model(tmp_path / "model")
    (model / "model.safetensors").write_bytes(struct.pack("<Q", 10 << 30) + b'{"a":1}')
    (model / "model.gguf").write_bytes(b"GGUF" + struct.pack("<IQQ", 3, 1 << 63, 1 << 40))
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    run = run_cli("build", model, "-o", tmp_path / "out.cdx.json")
    elapsed = time.monotonic() - start
    clean_outcome(run, (0,))
    assert "header length 10737418240 exceeds the 100 MiB cap; not read" in run.err
    assert "absurd" in run.err
    assert elapsed < 5, elapsed


# == 7. YAML: bombs and python tags ======================================================

BOMB = "".join(
    f"{name}: &{name} [{', '.join(['*' + prev] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)
PYTHON_TAGS = {
    "python-object-apply": "!!python/object/apply:os.system ['touch {sentinel}']",
    "python-object-new": "!!python/object/new:subprocess.Popen [['touch', '{sentinel}']]",
    "python-name": "!!python/name:os.system",
    "python-module": "!!python/module:os",
    "python-exec": "!!python/object/apply:builtins.exec ['open(\"{sentinel}\", \"w\")']",
}


@pytest.mark.parametrize("attack", ["billion-laughs", "recursive-alias", *PYTHON_TAGS])
def test_yaml_bomb_or_python_tag_in_policy(attack, signed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sentinel = tmp_path / "PWNED"
    if attack == "billion-laughs":
        text, needle = BOMB + "version: 1\n", "more than 200000 nodes"
    elif attack == "recursive-alias":
        text, needle = "version: 1\npublishers: &a [*a]\n", "alias refers to the collection"
    else:
        tag = PYTHON_TAGS[attack].format(sentinel=sentinel)
        text = f"version: 1\npublishers: {tag}\nrules: []\n"
        needle = "not valid YAML"
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    one_line(run_cli("verify-chain", signed, "--policy", policy), (2,), "policy", needle)
    assert not sentinel.exists()


@pytest.mark.parametrize("attack", ["billion-laughs", *PYTHON_TAGS])
def test_yaml_bomb_or_python_tag_in_model_card(attack, tmp_path, monkeypatch):
    """test_model_card.py calls the reader; here `aibom build` meets the card."""
    monkeypatch.chdir(tmp_path)
    sentinel = tmp_path / "PWNED"
    model = small_model(tmp_path / "model")
    front = BOMB if attack == "billion-laughs" else \
        f"license: {PYTHON_TAGS[attack].format(sentinel=sentinel)}\n"
    (model / "README.md").write_text(f"---\n{front}---\n# card\n")
    start = time.monotonic()
    run = run_cli("build", model, "-o", tmp_path / "out.cdx.json")
    clean_outcome(run, (0,))
    assert "README.md: front matter" in run.err
    assert time.monotonic() - start < 5
    assert not sentinel.exists()


# == 8. an AIBOM that points outside its directory ==========================================
# (test_chain.py::test_aibom_bundle_path_outside_its_directory covers a relative bundle path
#  to a planted file and to /etc/passwd, and a bundle symlinked outside.)


@pytest.fixture
def aibom_setup(tmp_path: Path, keypair: pki.KeyPair, monkeypatch) -> dict[str, Path]:
    """work/{model (key-signed), aibom.cdx.json, policy.yaml} and, beside work/, a copy of
    the model holding a secret: outside/."""
    work = tmp_path / "work"
    model = small_model(work / "model")
    signing.sign_model(model, model / "model.sig", signer_of(keypair))
    outside = tmp_path / "outside"
    shutil.copytree(model, outside)
    (outside / "secret.txt").write_text(SECRET_TEXT)
    monkeypatch.chdir(work)
    assert run_cli("build", "model", "-o", "aibom.cdx.json").code == 0
    policy = _key_policy(work, keypair)
    return {"work": work, "model": model, "outside": outside, "aibom": work / "aibom.cdx.json",
            "policy": policy}


def _patch_aibom(aibom: Path, *, location: str | None = None, url: str | None = None) -> None:
    doc = json.loads(aibom.read_text())
    component = doc["metadata"]["component"]
    if location is not None:
        for prop in component["properties"]:
            if prop["name"] == "aibom:location":
                prop["value"] = location
    if url is not None:
        for ref in component["externalReferences"]:
            if ref["type"] == "digital-signature":
                ref["url"] = url
    aibom.write_text(json.dumps(doc, indent=1))


@pytest.mark.parametrize("how", ["location-dot-dot", "location-absolute", "location-symlink",
                                 "bundle-path-absolute", "bundle-path-percent-encoded"])
def test_aibom_reference_outside_its_directory(how, aibom_setup, monkeypatch):
    s = aibom_setup
    outside = s["outside"]
    if how == "location-dot-dot":
        _patch_aibom(s["aibom"], location="../outside")
    elif how == "location-absolute":
        _patch_aibom(s["aibom"], location=str(outside))
    elif how == "location-symlink":
        (s["work"] / "linked").symlink_to(outside, target_is_directory=True)
        _patch_aibom(s["aibom"], location="linked")
    elif how == "bundle-path-absolute":
        _patch_aibom(s["aibom"], url=str(outside / "model.sig"))
    else:
        _patch_aibom(s["aibom"], url="%2E%2E/outside/model.sig")
    with spying(monkeypatch) as spy:
        run = run_cli("verify-chain", s["aibom"], "--policy", s["policy"], "--format", "json")
    assert run.code == 1, run.out + run.err
    failed = [c for c in run.json()["checks"] if c["status"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["rule"] == ("aibom/files" if how.startswith("location") else
                                 "aibom/signature")
    assert "outside" in failed[0]["reason"] or "cannot read" in failed[0]["reason"]
    assert spy.touched(outside) == []
    assert SECRET_TEXT not in run.out + run.err


# == 9. symbolic links ====================================================================
# (test_negative.py: escaping links (relative, absolute, directory), retargeting after
#  signing, loops to the root, link cycles, dangling links, FIFOs.)


def test_symlink_escape_through_a_chain_of_links(signed, keypair, tmp_path, monkeypatch):
    """a -> b (inside) -> ../secret (outside): each hop looks local, the end is not."""
    secret = tmp_path / "secret"
    secret.write_text(SECRET_TEXT)
    (signed / "sub" / "b").symlink_to("../../secret")
    (signed / "a").symlink_to("sub/b")
    with spying(monkeypatch) as spy:
        run = verify_key(signed, keypair.public_path, "--allow-symlinks",
                         "--ignore-unsigned-files")
    one_line(run, (1,), "a is a symbolic link that escapes the model")
    assert spy.touched(secret) == []


def test_symlink_to_a_sibling_directory_sharing_the_name_prefix(tmp_path, keypair, monkeypatch):
    """model/ and model-evil/ share a string prefix: a containment check by string prefix
    would let model/x -> ../model-evil/x through. Checked in the tree walker, the evidence
    readers and the verify-chain resolver."""
    from aibom.chain import _Context, _resolve
    from aibom.evidence import read_model_dir
    from aibom.graph import ProvenanceGraph
    from aibom.policy import Policy

    model = small_model(tmp_path / "model")
    evil = make_model(tmp_path / "model-evil", {"secret.bin": SECRET_TEXT.encode(),
                                                "config.json": b'{"model_type": "evil"}'})
    signing.sign_model(model, model / "model.sig", signer_of(keypair))
    (model / "x").symlink_to("../model-evil/secret.bin")
    (model / "config.json").unlink()
    (model / "config.json").symlink_to("../model-evil/config.json")
    with spying(monkeypatch) as spy:
        run = verify_key(model, keypair.public_path, "--allow-symlinks")
        with pytest.raises(InputError) as exc:
            read_model_dir(model)
        ctx = _Context(ProvenanceGraph(), Policy({}, ()), tmp_path / "model",
                       tmp_path / "model", True)
        with pytest.raises(InputError) as chain_exc:
            _resolve(ctx, "../model-evil/secret.bin")
    one_line(run, (1,), "is a symbolic link that escapes the model")
    refused(exc, InputError, "resolves outside the directory")
    refused(chain_exc, InputError, "points outside")
    assert spy.touched(evil) == []


def test_symlink_loop_in_evidence_files(signed, keypair, tmp_path, monkeypatch):
    """README.md -> loop1 -> loop2 -> README.md and config.json -> config.json: `build`
    reports and carries on, `verify` fails on the links, neither hangs nor crashes."""
    (signed / "config.json").unlink()
    (signed / "config.json").symlink_to("config.json")
    (signed / "README.md").symlink_to("loop1")
    (signed / "loop1").symlink_to("loop2")
    (signed / "loop2").symlink_to("README.md")
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    build = run_cli("build", signed, "-o", tmp_path / "out.cdx.json")
    clean_outcome(build, (0, 2))
    verify = verify_key(signed, keypair.public_path, "--allow-symlinks")
    one_line(verify, (1,), "broken or looping symbolic link")
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("name", ["model.sig", "lineage.sig"])
def test_signature_symlinked_outside_the_model(name, signed, keypair, tmp_path, monkeypatch):
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"mediaType": SECRET_TEXT}))
    (signed / name).unlink(missing_ok=True)
    (signed / name).symlink_to(secret)
    monkeypatch.chdir(tmp_path)
    with spying(monkeypatch) as spy:
        runs = [run_cli("build", signed), verify_key(signed, keypair.public_path)]
    for run in runs:
        clean_outcome(run)
        assert SECRET_TEXT not in run.out + run.err
    assert spy.touched(secret) == []


# == 10. the digest cache =================================================================

BIG = 2 << 20  # cached ranges are >= 1 MiB


@pytest.fixture
def cached_model(tmp_path: Path, keypair: pki.KeyPair, monkeypatch) -> dict[str, Any]:
    """A signed model with a 2 MiB file, verified once so its digest is cached; then the
    file is changed (one byte)."""
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("AIBOM_CACHE_DIR", str(cache_dir))
    model = make_model(tmp_path / "model", {"big.bin": os.urandom(BIG), "small.txt": b"s"})
    signing.sign_model(model, model / "model.sig", signer_of(keypair))
    signed_digest = sha256_hex((model / "big.bin").read_bytes())
    time.sleep(RACY_WINDOW_NS / 1e9)  # files this fresh are never cached (racily clean)
    assert verify_key(model, keypair.public_path).code == 0
    db = cache_dir / "digests.sqlite"
    with contextlib.closing(sqlite3.connect(db)) as con:  # the digest really is cached
        assert con.execute("SELECT hex FROM digest").fetchall() == [(signed_digest,)]
    flip_byte(model / "big.bin", BIG // 2)  # in place: same inode and size
    return {"model": model, "db": db, "signed_digest": signed_digest}


def _poison(db: Path, file: Path, digest: str) -> None:
    """The attacker's cache row: the changed file's identity -> the signed digest."""
    st = os.stat(file)
    key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, "sha256", 0,
           st.st_size)
    con = sqlite3.connect(db)
    con.execute("INSERT OR REPLACE INTO digest VALUES (?,?,?,?,?,?,?,?,?)", (*key, digest))
    con.commit()
    con.close()


def test_cached_digest_not_reused_after_the_file_changes(cached_model, keypair):
    """Changed in place with its mtime restored: ctime (not settable) still differs."""
    model = cached_model["model"]
    one_line(verify_key(model, keypair.public_path), (1,), "modified: big.bin")
    st = os.stat(model / "big.bin")
    os.utime(model / "big.bin", ns=(st.st_atime_ns, st.st_mtime_ns - 10**9))
    one_line(verify_key(model, keypair.public_path), (1,), "modified: big.bin")


@pytest.mark.parametrize("how", ["group-writable", "world-writable", "other-owner"])
def test_poisoned_digest_cache_not_private_is_ignored(how, cached_model, keypair):
    """A cache row claiming the changed file has the signed digest, in a cache file that
    someone else could have written: the cache is ignored and the change is found."""
    db = cached_model["db"]
    _poison(db, cached_model["model"] / "big.bin", cached_model["signed_digest"])
    if how == "group-writable":
        db.chmod(0o620)
    elif how == "world-writable":
        db.chmod(0o602)
    else:
        if os.geteuid() != 0:
            pytest.skip("changing a file's owner needs root")
        os.chown(db, 65534, -1)
    one_line(verify_key(cached_model["model"], keypair.public_path), (1,), "modified: big.bin")


def test_digest_cache_is_trusted_state_documented_limit(cached_model, keypair):
    """NOT an attack aibom stops: the cache is trusted state of the user running aibom (see
    docs/security.md). A row written by that same user is believed; `--no-cache` removes the
    trade-off. This pins the documented behaviour so the documentation stays true."""
    model = cached_model["model"]
    _poison(cached_model["db"], model / "big.bin", cached_model["signed_digest"])
    assert stat.S_IMODE(cached_model["db"].stat().st_mode) == 0o600
    assert verify_key(model, keypair.public_path).code == 0  # believed: the trade-off
    one_line(verify_key(model, keypair.public_path, "--no-cache"), (1,), "modified: big.bin")


# == 11. text that cannot be written back out ==============================================


@pytest.mark.parametrize(("name", "text"), [
    ("config.json", '{"model_type": "\\ud800"}'),
    ("adapter_config.json", '{"base_model_name_or_path": "org/\\udcff"}'),
])
def test_lone_surrogate_in_a_json_config(name, text, tmp_path, monkeypatch):
    model = small_model(tmp_path / "model")
    (model / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    clean_outcome(run_cli("build", model, "-o", tmp_path / "out.cdx.json"))


def test_lone_surrogate_in_an_unsigned_bundle(tmp_path, monkeypatch):
    model = small_model(tmp_path / "model")
    doc = names_statement(["weights\ud800.bin"], "files")
    payload = json.dumps(doc).encode()  # ensure_ascii: the surrogate travels as \ud800
    write_doc(model / "model.sig", key_bundle(payload, pki.ec_key()))
    monkeypatch.chdir(tmp_path)
    clean_outcome(run_cli("build", model, "-o", tmp_path / "out.cdx.json"))


# == 12. no reader can be made to read outside the directory it was given =====================

EVIDENCE_NAMES = ("README.md", "config.json", "generation_config.json", "tokenizer_config.json",
                  "quantize_config.json", "adapter_config.json", "model.safetensors",
                  "model.gguf", "model.safetensors.index.json", "dataset_info.json",
                  "pytorch_model.bin")


def _readers() -> list[tuple[str, Any]]:
    from aibom import evidence as ev
    from aibom.scan import scan_file

    return [
        ("README.md", ev.read_model_card), ("README.md", ev.read_dataset_card),
        ("config.json", ev.read_config), ("generation_config.json", ev.read_generation_config),
        ("tokenizer_config.json", ev.read_tokenizer_config),
        ("quantize_config.json", ev.read_quantize_config),
        ("adapter_config.json", ev.read_adapter_config),
        ("model.safetensors", ev.read_safetensors_header),
        ("model.safetensors.index.json", ev.read_safetensors_index),
        ("model.gguf", ev.read_gguf_header), ("dataset_info.json", ev.read_dataset_info),
        ("pytorch_model.bin", scan_file),
    ]


@pytest.fixture
def planted(tmp_path: Path, keypair: pki.KeyPair, monkeypatch) -> dict[str, Path]:
    """tmp/secret.txt and tmp/secretdir/ (the secret), tmp/work/ (the working directory)
    with a signed model (card, config, safetensors), its AIBOM and a policy."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_TEXT)
    secret_dir = tmp_path / "secretdir"
    secret_dir.mkdir()
    (secret_dir / "secret.bin").write_text(SECRET_TEXT)
    (secret_dir / "model.sig").write_text(SECRET_TEXT)
    work = tmp_path / "work"
    model = small_model(work / "model")
    (model / "README.md").write_text("---\nlicense: mit\nbase_model: org/base\n---\nA model.\n")
    header = b'{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}'
    (model / "model.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + bytes(4))
    signing.sign_model(model, model / "model.sig", signer_of(keypair))
    monkeypatch.chdir(work)
    assert run_cli("build", "model", "-o", "aibom.cdx.json").code == 0
    return {"secret": secret, "secret_dir": secret_dir, "work": work, "model": model,
            "aibom": work / "aibom.cdx.json", "policy": _key_policy(work, keypair),
            "keypair": keypair.public_path}


def _plant(vector: str, p: dict[str, Path], keypair: pki.KeyPair) -> None:
    model, secret = p["model"], p["secret"]
    if vector == "symlinks":
        for name in EVIDENCE_NAMES:
            (model / name).unlink(missing_ok=True)
            (model / name).symlink_to(os.path.relpath(secret, model))
        (model / "data").symlink_to(p["secret_dir"], target_is_directory=True)
        (model / "sub" / "more").symlink_to(p["secret_dir"], target_is_directory=True)
    elif vector == "dot-dot-names":
        index = {"metadata": {"total_size": 4},
                 "weight_map": {"a": "../../secret.txt", "b": str(secret),
                                "c": "sub/../../../secret.txt", "d": "..\\..\\secret.txt"}}
        (model / "model.safetensors.index.json").write_text(json.dumps(index))
        names = ["../../secret.txt", str(secret), "sub/../../secret.txt"]
        doc = names_statement(names, "files", [sha256_hex(SECRET_TEXT.encode())] * 3)
        write_doc(model / "model.sig", sign_statement(doc, keypair))
    elif vector == "aibom-paths":
        doc = json.loads(p["aibom"].read_text())
        component = doc["metadata"]["component"]
        for prop in component["properties"]:
            if prop["name"] == "aibom:location":
                prop["value"] = "../secretdir"
        for ref in component["externalReferences"]:
            ref["url"] = "../secretdir/model.sig"
        p["aibom"].write_text(json.dumps(doc))
    elif vector == "aibom-absolute-paths":
        doc = json.loads(p["aibom"].read_text())
        component = doc["metadata"]["component"]
        for prop in component["properties"]:
            if prop["name"] == "aibom:location":
                prop["value"] = str(p["secret_dir"])
        for ref in component["externalReferences"]:
            ref["url"] = str(p["secret_dir"] / "model.sig")
        p["aibom"].write_text(json.dumps(doc))
    elif vector == "signature-symlinks":
        for name in ("model.sig", "lineage.sig"):
            (model / name).unlink(missing_ok=True)
            (model / name).symlink_to(os.path.relpath(secret, model))
    else:  # pragma: no cover
        raise AssertionError(vector)


@pytest.mark.parametrize("vector", [
    "symlinks", "dot-dot-names", "aibom-paths", "aibom-absolute-paths",
    "signature-symlinks",
])
def test_no_reader_reads_outside_the_directory_it_was_given(vector, planted, keypair,
                                                            monkeypatch):
    """A secret beside the model, and a symlink, a `..` name or an AIBOM path pointing at it.
    Every command and every reader runs over it; none opens or lists the secret (spying on
    builtins.open, io.open, os.open and os.scandir) and its content is in no output."""
    from aibom import evidence as ev
    from aibom.discovery import discover
    from aibom.lineage.attest import content_root_digest

    p = planted
    _plant(vector, p, keypair)
    outputs: list[str] = []
    with spying(monkeypatch) as spy:
        runs = [
            run_cli("verify", "model", "--public-key", p["keypair"]),
            run_cli("verify", "model", "--public-key", p["keypair"], "--allow-symlinks",
                    "--ignore-unsigned-files"),
            run_cli("build", "model", "-o", "out.cdx.json"),
            run_cli("build", "model", "--with", "model"),
            run_cli("import", "aibom.cdx.json"),
            run_cli("import", "aibom.cdx.json", "--format", "json"),
            run_cli("verify-chain", "aibom.cdx.json", "--policy", p["policy"]),
            run_cli("verify-chain", "aibom.cdx.json", "--policy", p["policy"], "--format",
                    "sarif"),
            run_cli("verify-chain", "model", "--policy", p["policy"], "--format", "json"),
        ]
        for run in runs:
            clean_outcome(run)
            outputs.append(run.out + run.err)
        calls: list[tuple[Any, tuple]] = [
            (ev.read_model_dir, (p["model"],)), (ev.read_dataset_dir, (p["model"],)),
            (ev.looks_like_dataset, (p["model"],)), (discover, (p["model"],)),
            (content_root_digest, (p["model"],)),
        ]
        for default, reader in _readers():
            for name in (default, "../secret.txt", "../../secret.txt", str(p["secret"]),
                         "sub/../../secret.txt"):
                calls.append((reader, (p["model"], name)))
        for call, args in calls:
            try:
                outputs.append(repr(call(*args)))
            except AibomError as exc:
                outputs.append(exc.one_line())
    if vector != "signature-symlinks":  # there model.sig is the link out, never opened
        assert spy.touched(p["model"] / "model.sig")  # the spy does see what is read
    touched = spy.touched(p["secret"], p["secret_dir"])
    assert touched == [], f"read outside the model: {sorted(set(touched))}"
    for text in outputs:
        assert SECRET_TEXT not in text
    if vector.startswith("aibom"):
        assert runs[6].code == 1 and runs[7].code == 1  # verify-chain never passes
    if vector != "aibom-paths" and vector != "aibom-absolute-paths":
        assert runs[0].code != 0  # the planted model never verifies


def test_errors_are_the_documented_classes():
    """The catalogue asserts exit codes 1 and 2; they are these classes' codes."""
    assert (VerificationError.exit_code, InputError.exit_code) == (1, 2)
    assert issubclass(VerificationError, AibomError) and issubclass(InputError, AibomError)
