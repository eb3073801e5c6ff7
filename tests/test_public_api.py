"""The public API: `aibom.__all__` resolves, is documented, and `import aibom` stays cheap."""

from __future__ import annotations

import inspect
import subprocess
import sys

import aibom


def _documented(name: str, value: object) -> bool:
    """A real docstring: not empty, and not the signature a dataclass writes for itself."""
    doc = (getattr(value, "__doc__", None) or "").strip()
    return bool(doc) and not doc.startswith(f"{name}(")


def test_every_public_name_resolves_and_is_documented() -> None:
    undocumented = [
        name
        for name in aibom.__all__
        if (inspect.isclass(getattr(aibom, name)) or inspect.isfunction(getattr(aibom, name)))
        and not _documented(name, getattr(aibom, name))
    ]
    assert undocumented == []


def test_public_classes_document_their_public_methods() -> None:
    undocumented = []
    for name in aibom.__all__:
        value = getattr(aibom, name)
        if not inspect.isclass(value):
            continue
        for attr, member in vars(value).items():
            if attr.startswith("_") or not (inspect.isfunction(member) or isinstance(
                member, (property, classmethod, staticmethod)
            )):
                continue
            target = member.fget if isinstance(member, property) else member
            if not (getattr(target, "__doc__", None) or "").strip():
                undocumented.append(f"{name}.{attr}")
    assert undocumented == []


def test_one_name_per_contract() -> None:
    """The raising verifier and the verdict-returning one have different names."""
    assert aibom.verify_model is not aibom.check_signed_model
    assert inspect.signature(aibom.check_signed_model).return_annotation == "Verification"


def test_unknown_names_are_attribute_errors() -> None:
    try:
        aibom.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:
        raise AssertionError("an unknown name resolved")


def test_import_is_cheap() -> None:
    code = (
        "import sys, aibom; heavy = [m for m in ('networkx', 'cryptography', 'sigstore', "
        "'sqlalchemy') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
