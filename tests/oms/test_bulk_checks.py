"""Manifest checks done in bulk (a few passes over all resources) decide exactly as the
per-resource checks: one bad resource among many is refused with the per-resource message,
and unusual but valid names still pass."""

from __future__ import annotations

import hashlib
import json

import pytest
from support import pki
from support.models import statement

from aibom.errors import InputError
from aibom.oms import sign as signing
from aibom.oms.bundle import check_resource_path, parse_bundle
from aibom.oms.hashing import root_digest


def _resources(count: int) -> list[dict[str, str]]:
    return [
        {
            "name": f"dir-{i % 7}/file-{i}.bin",
            "algorithm": "sha256",
            "digest": hashlib.sha256(str(i).encode()).hexdigest(),
        }
        for i in range(count)
    ]


def _parse(resources: list[dict[str, object]], keypair: pki.KeyPair, **ser: object):  # type: ignore[no-untyped-def]
    serialization = {"method": "files", "hash_type": "sha256", "allow_symlinks": False, **ser}
    payload = json.dumps(statement(resources, serialization=serialization)).encode()  # type: ignore[arg-type]
    bundle = signing.sign_payload(payload, signing.KeySigner(keypair.private_path.read_bytes()))
    return parse_bundle(json.dumps(bundle).encode(), source="s")


BAD_NAMES = [
    "",
    "/etc/passwd",
    "a//b",
    "a/",
    "./a",
    "a/./b",
    "a/.",
    "..",
    "../a",
    "a/../b",
    "a/..",
    "a\\b",
    "a\x00b",
]


@pytest.mark.parametrize("bad", BAD_NAMES, ids=repr)
def test_one_bad_name_among_many(bad: str, keypair: pki.KeyPair) -> None:
    resources = _resources(300)
    resources[150] = {**resources[150], "name": bad}
    with pytest.raises(InputError) as caught:
        _parse(resources, keypair)  # type: ignore[arg-type]
    if bad == "":
        assert "should be non-empty" in str(caught.value)  # the schema's words
        return
    with pytest.raises(InputError) as single:
        check_resource_path(bad, "s")
    assert str(caught.value) == str(single.value)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"digest": "AB" * 32}, "digest"),
        ({"digest": "ab" * 31}, "wrong length"),
        ({"algorithm": "md5"}, "algorithm"),
        ({"algorithm": "blake2b"}, "uses blake2b, not sha256"),
        ({"name": 7}, "name"),
        ({"digest": ""}, "digest"),
    ],
    ids=repr,
)
def test_one_bad_field_among_many(
    change: dict[str, object], needle: str, keypair: pki.KeyPair
) -> None:
    resources: list[dict[str, object]] = list(_resources(300))
    resources[299] = {**resources[299], **change}
    with pytest.raises(InputError, match=needle):
        _parse(resources, keypair)


def test_a_name_listed_twice_among_many(keypair: pki.KeyPair) -> None:
    resources = _resources(300)
    resources.append(dict(resources[42]))
    with pytest.raises(InputError, match="listed twice"):
        _parse(resources, keypair)  # type: ignore[arg-type]


def test_unusual_valid_names_pass(keypair: pki.KeyPair) -> None:
    resources = _resources(50)
    for i, name in enumerate(["line\nbreak", ".hidden", "a..b", "...", "dir/.x", "é/ü"]):
        resources.append({"name": name, "algorithm": "sha256", "digest": "0" * 63 + str(i)})
    parsed = _parse(resources, keypair)  # type: ignore[arg-type]
    assert [r.name for r in parsed.signature.resources] == [r["name"] for r in resources]
    assert parsed.signature.root_digest == root_digest(r["digest"] for r in resources)


def test_sign_returns_what_reading_the_bundle_back_gives(tmp_path, keypair: pki.KeyPair) -> None:  # type: ignore[no-untyped-def]
    """sign_model hands back the bundle without parsing the manifest it just wrote again; it
    is the same as reading the file."""
    from support.models import make_model

    from aibom.oms.bundle import read_bundle

    model = make_model(tmp_path / "m", {f"f{i}": bytes([i]) * 10 for i in range(30)})
    signer = signing.KeySigner(keypair.private_path.read_bytes())
    for options in ({}, {"shard_size": 8}, {"hash_type": "blake2b"}):
        out = tmp_path / "m.sig"
        returned = signing.sign_model(model, out, signer, **options)  # type: ignore[arg-type]
        assert returned == read_bundle(out)
