"""Build the trust a verification uses from what a caller names: the one place it is done.

The CLI options, a policy's publishers and `aibom.verify_model` all name trust the same
way (a public key, certificate roots, or a keyless identity and issuer) and differ only in
how they spell the choices and how a file they name is read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aibom._internal.files import SMALL_FILE_LIMIT, read_capped
from aibom.errors import InputError
from aibom.oms.verify import CertificateTrust, KeylessTrust, KeyTrust, Trust

ReadFile = Callable[[Path, str], bytes]
"""Reads a file the trust names: (path, what it is) -> bytes; raises InputError."""


@dataclass(frozen=True)
class TrustSpelling:
    """How a caller spells the four choices, for its error messages."""

    public_key: str
    certificate_chain: str
    identity: str
    issuer: str


API_SPELLING = TrustSpelling("public_key", "certificate_chain", "identity", "issuer")
CLI_SPELLING = TrustSpelling(
    "--public-key", "--certificate-chain", "--identity", "--identity-provider"
)


def read_trust_file(path: Path, what: str) -> bytes:
    """The default reader: a small regular file (never blocks on a FIFO); an unreadable one
    is an input error."""
    return read_capped(path, SMALL_FILE_LIMIT, what)


def build_trust(
    *,
    public_key: Path | None = None,
    certificate_chain: Sequence[Path] = (),
    identity: str | None = None,
    issuer: str | None = None,
    trust_config: Path | None = None,
    staging: bool = False,
    read: ReadFile = read_trust_file,
    spelling: TrustSpelling = API_SPELLING,
) -> Trust | None:
    """Exactly one kind of trust from the named choices; None when nothing is named.

    A keyless identity needs its issuer; `staging` picks Sigstore staging's embedded trust
    root when no trust config is given. A trust config that cannot be read is an input
    error here, not a failed signature later.
    """
    chosen = [public_key is not None, bool(certificate_chain), bool(identity or issuer)]
    if not any(chosen):
        return None
    s = spelling
    if sum(chosen) != 1:
        raise InputError(
            f"choose exactly one of {s.public_key}, {s.certificate_chain}, "
            f"or {s.identity} with {s.issuer}"
        )
    if public_key is not None:
        return KeyTrust(read(public_key, "public key"))
    if certificate_chain:
        return CertificateTrust(tuple(read(p, "certificate chain") for p in certificate_chain))
    if not (identity and issuer):
        raise InputError(f"keyless verification needs both {s.identity} and {s.issuer}")
    if trust_config is not None:
        read(trust_config, "trust config")
    return KeylessTrust(identity, issuer, trust_config, staging)
