"""PKCS#11 signing against a real software token (SoftHSM2), verified by model_signing 1.1.1.

The keys are generated inside the token and never leave it. The test reads the public key
with PyKCS11 itself (not aibom's code), and each program verifies what the other signed
from the same `pkcs11:` URI.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from support import pki
from support.cli import assert_one_line_failure, run_cli, run_subprocess
from support.cli import run_model_signing as ms
from support.models import flip_byte, small_model

from aibom.errors import InputError
from aibom.oms.pkcs11_uri import parse_pkcs11_uri

from .softhsm import USER_PIN, SoftHsm, start_softhsm


@pytest.fixture(scope="module")
def hsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    import os

    before = os.environ.get("SOFTHSM2_CONF")
    yield start_softhsm(tmp_path_factory.mktemp("softhsm"))
    if before is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = before


def token_public_key(uri: str, directory: Path, name: str) -> Path:
    """The token's public-key object as a PEM file, read with PyKCS11 and asn1crypto here
    (not with aibom's code), without logging in: public objects need no PIN."""
    import PyKCS11
    from asn1crypto.core import OctetString
    from cryptography.hazmat.primitives.asymmetric import ec

    curves = {"06082a8648ce3d030107": ec.SECP256R1(), "06052b81040022": ec.SECP384R1()}
    lib = PyKCS11.PyKCS11Lib()
    lib.load(uri.split("module-path=")[1].split("&")[0])
    slot = next(
        s
        for s in lib.getSlotList(tokenPresent=True)
        if lib.getTokenInfo(s).label.strip() == "aibom-test"
    )
    session = lib.openSession(slot)
    try:
        (public,) = session.findObjects(
            [(PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY), (PyKCS11.CKA_LABEL, name)]
        )
        params, point = session.getAttributeValue(
            public, [PyKCS11.CKA_EC_PARAMS, PyKCS11.CKA_EC_POINT]
        )
    finally:
        session.closeSession()
    key = ec.EllipticCurvePublicKey.from_encoded_point(
        curves[bytes(params).hex()], OctetString.load(bytes(point)).native
    )
    path = directory / f"{name}.pub.pem"
    path.write_bytes(
        key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return path


def ms_process(*args: object) -> tuple[int, str]:
    """model_signing in its own process: its PKCS#11 signer never logs out, and a second login
    in the same process fails, so each of its signings gets a fresh one (as in real use)."""
    proc = subprocess.run(
        [sys.executable, "-m", "model_signing", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("label", ["signer", "signer384"])
def test_pkcs11_key_both_ways(label, hsm, tmp_path):
    model = small_model(tmp_path / "model")
    uri = hsm.uri(label)
    public = token_public_key(uri, tmp_path, label)
    ours, theirs = tmp_path / "aibom.sig", tmp_path / "ms.sig"
    run = run_cli("sign", "pkcs11-key", model, "--signature", ours, "--pkcs11_uri", uri)
    assert run.code == 0, run.err
    assert ms("verify", "key", model, "--signature", ours, "--public_key", public)[0] == 0
    code, output = ms_process(
        "sign", "pkcs11-key", model, "--signature", theirs, "--pkcs11_uri", uri
    )
    assert code == 0, output
    for sig in (ours, theirs):
        verify = ["verify", "key", model, "--signature", sig, "--public_key", public]
        assert run_cli(*verify).code == 0
    # aibom's flag form takes the URI too, and a changed byte still fails both verifiers
    assert run_cli("sign", model, "--pkcs11-uri", uri).code == 0
    assert run_cli("verify", model, "--public-key", public).code == 0
    flip_byte(model / "weights.bin")
    assert ms("verify", "key", model, "--signature", ours, "--public_key", public)[0] == 1
    run = run_cli("verify", "key", model, "--signature", ours, "--public_key", public)
    assert_one_line_failure(run, [1], "weights.bin")


def test_pkcs11_certificate_both_ways(hsm, tmp_path, chain):
    model = small_model(tmp_path / "model")
    uri = hsm.uri("signer")
    public = serialization.load_pem_public_key(
        token_public_key(uri, tmp_path, "signer").read_bytes()
    )
    leaf = pki.issue_leaf(chain, public, tmp_path / "token-leaf.pem")  # type: ignore[arg-type]
    certs = ["--signing_certificate", leaf, "--certificate_chain", chain.intermediate_path]
    ours, theirs = tmp_path / "aibom.sig", tmp_path / "ms.sig"
    run = run_cli(
        "sign", "pkcs11-certificate", model, "--signature", ours, "--pkcs11_uri", uri, *certs
    )
    assert run.code == 0, run.err
    verify = ["verify", "certificate", model, "--certificate_chain", chain.root_path]
    assert ms(*verify, "--signature", ours)[0] == 0
    # model_signing 1.1.1 cannot make this signature itself: its PKCS#11 certificate signer
    # builds the bundle in a shape the sigstore-models it installs with rejects (raw DER
    # where base64 is expected, no tlogEntries)
    code, output = ms_process(
        "sign", "pkcs11-certificate", model, "--signature", theirs, "--pkcs11_uri", uri, *certs
    )
    assert code == 1 and "validation error" in output, output
    assert run_cli(*verify, "--signature", ours).code == 0
    # a certificate of another key is refused before anything is written
    other = ["--signing_certificate", chain.leaf_path]
    run = run_cli(
        "sign",
        "pkcs11-certificate",
        model,
        "--signature",
        tmp_path / "x.sig",
        "--pkcs11_uri",
        uri,
        *other,
    )
    assert_one_line_failure(run, [2], "does not belong to the private key")
    assert not (tmp_path / "x.sig").exists()


@pytest.mark.parametrize(
    ("make_uri", "needle"),
    [
        (lambda h: h.uri("signer", pin="999999"), "login failed"),
        (lambda h: h.uri("nobody"), "no private key with label 'nobody'"),
        (lambda h: h.uri("signer", pin=None), "PIN may be needed"),
        (lambda h: h.uri("signer").replace("token=aibom-test", "token=other"), "no token matches"),
        (lambda h: h.uri("signer").replace(h.module, "/nonexistent/lib.so"), "does not exist"),
        (lambda h: h.uri("signer").replace("object=", "objet="), "unknown path attribute"),
        (lambda h: "pkcs12:object=signer", "not a pkcs11 URI"),
    ],
)
def test_token_errors_are_one_line(make_uri, needle, hsm, tmp_path):
    model = small_model(tmp_path / "model")
    # PKCS#11 login state belongs to the process: a fresh one, so that no earlier test's
    # login (model_signing never logs out) hides a wrong or missing PIN
    runner = run_subprocess if "PIN" in needle or "login" in needle else run_cli
    run = runner(
        "sign",
        "pkcs11-key",
        model,
        "--signature",
        tmp_path / "s.sig",
        "--pkcs11_uri",
        make_uri(hsm),
    )
    assert_one_line_failure(run, [2], needle)
    assert not (tmp_path / "s.sig").exists()


def test_missing_binding_gives_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "PyKCS11", None)
    model = small_model(tmp_path / "model")
    uri = "pkcs11:token=t;object=k?module-path=/usr/lib/softhsm/libsofthsm2.so"
    run = run_cli("sign", "pkcs11-key", model, "--pkcs11_uri", uri)
    assert_one_line_failure(run, [2], "pip install 'aibom[pkcs11]'")


# -- RFC 7512 parsing ----------------------------------------------------------------------


def test_uri_attributes(tmp_path):
    pin_file = tmp_path / "pin"
    pin_file.write_text("4321\n")
    uri = parse_pkcs11_uri(
        "pkcs11:token=My%20Token;object=key%3Bone;id=%01%ff;x-vendor=1"
        f"?module-name=softhsm2&pin-source=file:{pin_file}"
    )
    assert uri.path == {"token": "My Token", "object": "key;one"}
    assert uri.key_id == b"\x01\xff"
    assert uri.pin() == "4321"
    assert uri.token_filter() == {"token": "My Token"}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("pkcs11:object=a;object=b", "given twice"),
        ("pkcs11:slot-id=one", "slot-id must be a number"),
        ("pkcs11:type=cert", "type=private"),
        ("pkcs11:object=a?pin-value=1&pin-source=/p", "not both"),
        ("pkcs11:object=a?module-path=lib.so", "not an absolute path"),
        ("pkcs11:object", "malformed path attribute"),
        ("pkcs11:object=a?pin-source=https://x/pin", "not supported"),
    ],
)
def test_uri_errors(text, needle):
    with pytest.raises(InputError, match=needle):
        uri = parse_pkcs11_uri(text)
        uri.pin()


def test_key_by_id_and_module_by_name(hsm, tmp_path):
    """`id` alone names the key; `module-name` finds the module in the usual directories."""
    model = small_model(tmp_path / "model")
    public = token_public_key(hsm.uri("signer384"), tmp_path, "signer384")
    uri = f"pkcs11:token=aibom-test;id=%02?module-name=softhsm2&pin-value={USER_PIN}"
    # a fresh process: PKCS#11 login state belongs to the process, not to one test
    run = run_subprocess("sign", model, "--pkcs11-uri", uri, "--signature", tmp_path / "s.sig")
    assert run.code == 0, run.err
    verify = ["verify", "key", model, "--signature", tmp_path / "s.sig", "--public_key", public]
    assert ms(*verify)[0] == 0
    missing = uri.replace("module-name=softhsm2", "module-name=nosuchmodule")
    run = run_cli("sign", model, "--pkcs11-uri", missing, "--signature", tmp_path / "t.sig")
    assert_one_line_failure(run, [2], "no module named 'nosuchmodule'")
