"""A SoftHSM2 token for the PKCS#11 tests: its own token directory, keys generated inside it.

CI installs SoftHSM2 with .ci/softhsm.sh; where it (or the PyKCS11 binding) is missing the
PKCS#11 tests skip and say why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
TOKEN = "aibom-test"
USER_PIN = "123456"
SO_PIN = "0000"
CURVE_OIDS = {"P-256": "06082a8648ce3d030107", "P-384": "06052b81040022"}


@dataclass(frozen=True)
class SoftHsm:
    module: str
    conf: Path

    def uri(self, label: str, *, pin: str | None = USER_PIN, **extra: str) -> str:
        query = [f"module-path={self.module}"]
        if pin is not None:
            query.append(f"pin-value={pin}")
        path = ";".join(
            [f"token={TOKEN}", f"object={label}", *(f"{k}={v}" for k, v in extra.items())]
        )
        return f"pkcs11:{path}?{'&'.join(query)}"


def start_softhsm(directory: Path) -> SoftHsm:
    module = next((m for m in MODULES if os.path.isfile(m)), None)
    if module is None or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 is not installed (CI installs it with .ci/softhsm.sh)")
    pytest.importorskip("PyKCS11", reason="the PKCS#11 binding (aibom[pkcs11]) is missing")
    tokens = directory / "tokens"
    tokens.mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            TOKEN,
            "--so-pin",
            SO_PIN,
            "--pin",
            USER_PIN,
        ],
        check=True,
        capture_output=True,
    )
    hsm = SoftHsm(module, conf)
    generate_key(hsm, "signer", 1, "P-256")
    generate_key(hsm, "signer384", 2, "P-384")
    return hsm


def generate_key(hsm: SoftHsm, label: str, key_id: int, curve: str) -> None:
    """An EC key pair generated inside the token; the private key is not extractable."""
    import PyKCS11

    lib = PyKCS11.PyKCS11Lib()
    lib.load(hsm.module)
    slot = next(
        s for s in lib.getSlotList(tokenPresent=True) if lib.getTokenInfo(s).label.strip() == TOKEN
    )
    session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
    session.login(USER_PIN)
    common = [
        (PyKCS11.CKA_KEY_TYPE, PyKCS11.CKK_EC),
        (PyKCS11.CKA_TOKEN, PyKCS11.CK_TRUE),
        (PyKCS11.CKA_LABEL, label),
        (PyKCS11.CKA_ID, (key_id,)),
    ]
    public = [
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_PUBLIC_KEY),
        (PyKCS11.CKA_VERIFY, PyKCS11.CK_TRUE),
        (PyKCS11.CKA_EC_PARAMS, bytes.fromhex(CURVE_OIDS[curve])),
        *common,
    ]
    private = [
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
        (PyKCS11.CKA_SIGN, PyKCS11.CK_TRUE),
        (PyKCS11.CKA_PRIVATE, PyKCS11.CK_TRUE),
        (PyKCS11.CKA_SENSITIVE, PyKCS11.CK_TRUE),
        (PyKCS11.CKA_EXTRACTABLE, PyKCS11.CK_FALSE),
        *common,
    ]
    session.generateKeyPair(public, private, mecha=PyKCS11.MechanismECGENERATEKEYPAIR)
    session.logout()
    session.closeSession()
