"""aibom: link OMS signatures, lineage and datasets of AI models into one verifiable graph.

The public API is what `__all__` lists: each CLI command as a function, and the types those
functions take and return. Everything else (modules, their other names, `aibom._internal`)
may change without notice.

Verify before loading weights:
- `verify_model(model, ...)` raises `VerificationError` unless the signature and every
  selected file hold, and returns the `Verification`; `verified_path` does the same and
  returns the folder to load (a Hugging Face cache snapshot for `hf:`).
- `check_signed_model(model, signature, trust)` returns the `Verification` verdict instead
  of raising on a failed one; the trust is a `KeyTrust`, `CertificateTrust` or
  `KeylessTrust`, built by `build_trust` from what a caller names.

Sign and attest: `sign_model` (with a `Signer`), `attest` (a lineage attestation), `adopt`.
Build and read AIBOMs: `discover` -> `Discovery` (a `ProvenanceGraph`), `build_document`,
`read_document`, `Format`. Verify a chain: `load_policy` -> `Policy`, `verify_chain` /
`verify_target` -> `Report` of `Check`s.

Errors: `AibomError` is the root; `InputError` exits 2, `VerificationError` exits 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aibom.errors import AibomError, InputError, VerificationError

__version__ = "0.1.0"

# name -> the module that defines it; imported on first use, so `import aibom` stays cheap
_LAZY = {
    # verify before loading
    "verify_model": "aibom.loading",
    "verified_path": "aibom.loading",
    "check_signed_model": "aibom.oms.verify",
    "Verification": "aibom.oms.verify",
    "build_trust": "aibom.oms.trust",
    "Trust": "aibom.oms.verify",
    "KeyTrust": "aibom.oms.verify",
    "CertificateTrust": "aibom.oms.verify",
    "KeylessTrust": "aibom.oms.verify",
    # sign, attest, adopt
    "sign_model": "aibom.oms.sign",
    "Signer": "aibom.oms.sign",
    "KeySigner": "aibom.oms.sign",
    "CertificateSigner": "aibom.oms.sign",
    "KeylessSigner": "aibom.oms.sign",
    "Pkcs11KeySigner": "aibom.oms.sign",
    "Pkcs11CertificateSigner": "aibom.oms.sign",
    "ParsedBundle": "aibom.oms.bundle",
    "attest": "aibom.lineage.attest",
    "Lineage": "aibom.lineage.attest",
    "adopt": "aibom.lineage.adopt",
    "Adoption": "aibom.lineage.adopt",
    # the graph and its documents
    "discover": "aibom.discovery",
    "Discovery": "aibom.discovery",
    "build_document": "aibom.build",
    "read_document": "aibom.build",
    "Format": "aibom.formats.registry",
    "ProvenanceGraph": "aibom.graph",
    "Component": "aibom.graph",
    "Edge": "aibom.graph",
    "Kind": "aibom.graph",
    "Relation": "aibom.graph",
    "Derivation": "aibom.graph",
    "Level": "aibom.graph",
    "Role": "aibom.graph",
    "SignatureEvidence": "aibom.graph",
    # chain verification
    "load_policy": "aibom.policy",
    "Policy": "aibom.policy",
    "verify_chain": "aibom.chain",
    "verify_target": "aibom.chain",
    "Report": "aibom.verdicts",
    "Check": "aibom.verdicts",
    "Status": "aibom.verdicts",
    "RuleId": "aibom.verdicts",
}

__all__ = [
    "Adoption",
    "AibomError",
    "CertificateSigner",
    "CertificateTrust",
    "Check",
    "Component",
    "Derivation",
    "Discovery",
    "Edge",
    "Format",
    "InputError",
    "KeySigner",
    "KeyTrust",
    "KeylessSigner",
    "KeylessTrust",
    "Kind",
    "Level",
    "Lineage",
    "ParsedBundle",
    "Pkcs11CertificateSigner",
    "Pkcs11KeySigner",
    "Policy",
    "ProvenanceGraph",
    "Relation",
    "Report",
    "Role",
    "RuleId",
    "SignatureEvidence",
    "Signer",
    "Status",
    "Trust",
    "Verification",
    "VerificationError",
    "__version__",
    "adopt",
    "attest",
    "build_document",
    "build_trust",
    "check_signed_model",
    "discover",
    "load_policy",
    "read_document",
    "sign_model",
    "verified_path",
    "verify_chain",
    "verify_model",
    "verify_target",
]

if TYPE_CHECKING:
    from aibom.build import build_document, read_document
    from aibom.chain import verify_chain, verify_target
    from aibom.discovery import Discovery, discover
    from aibom.formats.registry import Format
    from aibom.graph import (
        Component,
        Derivation,
        Edge,
        Kind,
        Level,
        ProvenanceGraph,
        Relation,
        Role,
        SignatureEvidence,
    )
    from aibom.lineage.adopt import Adoption, adopt
    from aibom.lineage.attest import Lineage, attest
    from aibom.loading import verified_path, verify_model
    from aibom.oms.bundle import ParsedBundle
    from aibom.oms.sign import (
        CertificateSigner,
        KeylessSigner,
        KeySigner,
        Pkcs11CertificateSigner,
        Pkcs11KeySigner,
        Signer,
        sign_model,
    )
    from aibom.oms.trust import build_trust
    from aibom.oms.verify import (
        CertificateTrust,
        KeylessTrust,
        KeyTrust,
        Trust,
        Verification,
        check_signed_model,
    )
    from aibom.policy import Policy, load_policy
    from aibom.verdicts import Check, Report, RuleId, Status


def __getattr__(name: str) -> Any:
    """Import the heavy parts only when they are used: `import aibom` stays cheap."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # once resolved, a plain attribute
        return value
    raise AttributeError(f"module 'aibom' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
