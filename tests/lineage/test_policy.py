"""The verify-chain policy: loading (paths relative to the policy file, defaults, first
matching rule) and refusing every malformed policy with exit 2 and one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aibom.errors import InputError
from aibom.oms.verify import CertificateTrust, KeylessTrust, KeyTrust
from aibom.policy import load_policy

from .conftest import CHAT, CORPUS, LORA, ORG, Q8, TARGET, one_line_error, policy_yaml, write_policy

# -- loading -----------------------------------------------------------------------------------


def test_policy_loads_each_kind_of_publisher(good_chain, tmp_path, monkeypatch):
    policy = write_policy(tmp_path, policy_yaml(keys=str(good_chain / "keys")))
    monkeypatch.chdir(good_chain / "models")  # the working directory plays no part
    loaded = load_policy(policy)
    vendor = loaded.publishers["vendor"].trust
    assert isinstance(vendor, KeylessTrust)
    assert (vendor.identity, vendor.issuer) == (
        "release@vendor.example",
        "https://accounts.vendor.example",
    )
    assert vendor.trust_config == good_chain / "keys/vendor-trust-config.json"
    cert = loaded.publishers["acme-ml"].trust
    assert isinstance(cert, CertificateTrust)
    assert cert.roots_pem == ((good_chain / "keys/acme-root.pem").read_bytes(),)
    key = loaded.publishers["acme-ml-key"].trust
    assert isinstance(key, KeyTrust)
    assert key.public_key_pem == (good_chain / "keys/acme-pub.pem").read_bytes()
    assert (loaded.signatures, loaded.lineage, loaded.scan) == ("all", "attested", "clean")
    assert loaded.publishers["vendor"].describe() == (
        "vendor (release@vendor.example via https://accounts.vendor.example)"
    )


def test_paths_are_relative_to_the_policy_file(good_chain, tmp_path, monkeypatch):
    (tmp_path / "policies").mkdir()
    policy = write_policy(tmp_path / "policies", policy_yaml(keys="../keys"))
    (tmp_path / "keys").symlink_to(good_chain / "keys")
    monkeypatch.chdir(good_chain.root.parent)
    loaded = load_policy(policy)
    trust = loaded.publishers["acme-ml-key"].trust
    assert trust.public_key_pem == (good_chain / "keys/acme-pub.pem").read_bytes()


def test_defaults_when_require_is_absent(good_chain):
    text = policy_yaml().split("require:")[0]
    policy = write_policy(good_chain.root, text, name="no-require.yaml")
    loaded = load_policy(policy)
    assert (loaded.signatures, loaded.lineage, loaded.scan, loaded.legacy_predicate) == (
        "all",
        "attested",
        "clean",
        "allow",
    )


def test_a_json_policy(good_chain):
    import yaml

    document = yaml.safe_load(policy_yaml(signatures="models"))
    policy = good_chain / "policy.json"
    policy.write_text(json.dumps(document))
    assert load_policy(policy).signatures == "models"


def test_first_matching_rule_decides(good_chain):
    loaded = load_policy(write_policy(good_chain.root, name="rules.yaml"))
    names = lambda n: [p.name for p in loaded.publishers_for(n)]  # noqa: E731
    assert names(f"{ORG}/tiny-base") == ["vendor"]
    assert names(f"{ORG}/tiny-corpus") == ["vendor"]
    assert names("tiny-chat-q8") == ["acme-ml", "acme-ml-key"]
    assert names(f"{ORG}/TINY-BASE") == ["acme-ml", "acme-ml-key"]  # case-sensitive globs

    catch_all_first = policy_yaml(extra_rules='  - match: "*"\n    publishers: [acme-ml-key]\n')
    loaded = load_policy(write_policy(good_chain.root, catch_all_first, name="rules2.yaml"))
    assert [p.name for p in loaded.publishers_for(f"{ORG}/tiny-base")] == ["acme-ml-key"]


def test_a_component_no_rule_matches_is_signed_by_nobody(chain, verify_chain):
    text = policy_yaml().replace(
        '  - match: "*"\n    publishers: [acme-ml, acme-ml-key]\n',
        f'  - match: "{ORG}/*"\n    publishers: [acme-ml, acme-ml-key]\n',
    )
    write_policy(chain.root, text)
    run = verify_chain(chain)
    assert run.code == 1
    for ref in (LORA, Q8):
        node = run.failed(ref)
        assert node["rule"] == "aibom/signer"
        assert "no policy rule allows any publisher for this component" in node["reason"]
    assert run.check(CHAT)["status"] == "verified"


def test_the_vendor_may_not_sign_what_the_organisation_must(chain, verify_chain):
    """Swapping the rules: the base now needs the organisation, which did not sign it."""
    text = policy_yaml().replace(f'"{ORG}/tiny-base"', f'"{ORG}/tiny-basex"')
    write_policy(chain.root, text)
    run = verify_chain(chain)
    node = run.failed(f"model:{ORG}/tiny-base")
    assert "release@vendor.example" in node["reason"]
    assert "not an allowed publisher (acme-ml, acme-ml-key)" in node["reason"]
    assert run.check(CORPUS)["status"] == "verified"


@pytest.mark.parametrize(
    ("lineage", "code", "status"), [("attested", 1, "failed"), ("declared", 0, "declared-only")]
)
def test_declared_lineage_policy(chain, verify_chain, lineage, code, status):
    (chain / "models/tiny-chat-q8/lineage.sig").unlink()
    write_policy(chain.root, lineage=lineage)
    run = verify_chain(chain)
    assert run.code == code, run.summary()
    edge = run.check(f"{Q8} -> {CHAT}")
    assert edge["status"] == status
    if code:
        assert edge["rule"] == "aibom/declared"
        assert "the policy requires attested lineage" in edge["reason"]
        assert "general.base_model" in edge["reason"] or "README.md" in edge["reason"]


# -- malformed policies: exit 2, one line --------------------------------------------------------

BOMB = """\
version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _two_kinds() -> str:
    return policy_yaml().replace(
        "    public_key: keys/acme-pub.pem\n",
        "    public_key: keys/acme-pub.pem\n    certificate_chain: [keys/acme-root.pem]\n",
    )


MALFORMED = {
    "unknown-publisher": (
        lambda: policy_yaml().replace("publishers: [vendor]", "publishers: [ghost]", 1),
        "names unknown publisher 'ghost'",
    ),
    "two-trust-kinds": (_two_kinds, "policy schema at publishers/2"),
    "keyless-without-issuer": (
        lambda: policy_yaml().replace("    issuer: https://accounts.vendor.example\n", ""),
        "policy schema at publishers/0",
    ),
    "publisher-twice": (
        lambda: policy_yaml().replace("name: acme-ml-key", "name: acme-ml"),
        "publisher 'acme-ml' is defined twice",
    ),
    "missing-key-file": (
        lambda: policy_yaml().replace("keys/acme-pub.pem", "keys/absent-pub.pem"),
        "absent-pub.pem",
    ),
    "missing-certificate-file": (
        lambda: policy_yaml().replace("[keys/acme-root.pem]", "[keys/absent-root.pem]"),
        "absent-root.pem",
    ),
    "yaml-bomb": (lambda: BOMB, "aliases are expanded"),
    "python-object-tag": (
        lambda: "version: 1\npublishers: !!python/object/apply:os.system ['touch PWNED']\n",
        "python/object/apply:os.system",
    ),
    "python-name-tag": (lambda: "version: !!python/name:os.system\n", "python/name:os.system"),
    "not-a-mapping": (lambda: "- version\n- 1\n", "is not a mapping"),
    "wrong-version": (lambda: policy_yaml().replace("version: 1", "version: 2"), "at version:"),
    "unknown-requirement": (
        lambda: policy_yaml(signatures="some"),
        "require/signatures",
    ),
    "unknown-key": (lambda: policy_yaml() + "extra: 1\n", "'extra' was unexpected"),
    "no-rules": (lambda: policy_yaml().split("rules:")[0] + "rules: []\n", "at rules:"),
    "yaml-syntax": (lambda: "version: 1\npublishers: [\n", "not valid YAML"),
    "deep-nesting": (lambda: "version: " + "[" * 200 + "]" * 200 + "\n", "nested deeper"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_policy_exits_2_with_one_line(good_chain, cli, tmp_path, case):
    make, keyword = MALFORMED[case]
    (tmp_path / "keys").symlink_to(good_chain / "keys")
    policy = write_policy(tmp_path, make(), name="bad.yaml")
    run = cli("verify-chain", good_chain / TARGET, "--policy", policy, cwd=tmp_path)
    line = one_line_error(run, 2)
    assert line.startswith("aibom: error: ")
    assert keyword in line
    assert run.out == ""
    assert not (tmp_path / "PWNED").exists()
    assert not Path("PWNED").exists()
    with pytest.raises(InputError):
        load_policy(policy)


def test_missing_policy_file(good_chain, cli, tmp_path):
    run = cli("verify-chain", good_chain / TARGET, "--policy", tmp_path / "absent.yaml")
    line = one_line_error(run, 2)
    assert "cannot read policy" in line and "absent.yaml" in line


def test_policy_that_is_a_directory(good_chain, cli, tmp_path):
    run = cli("verify-chain", good_chain / TARGET, "--policy", tmp_path)
    one_line_error(run, 2)


def test_policy_larger_than_1_mib(good_chain, tmp_path, cli):
    policy = write_policy(tmp_path, policy_yaml() + "#" * (1 << 20) + "\n", name="big.yaml")
    line = one_line_error(cli("verify-chain", good_chain / TARGET, "--policy", policy), 2)
    assert "larger than 1 MiB" in line


def test_policy_that_is_not_utf8(good_chain, tmp_path, cli):
    policy = tmp_path / "latin1.yaml"
    policy.write_bytes(policy_yaml().encode() + "# caf\xe9\n".encode("latin-1"))
    line = one_line_error(cli("verify-chain", good_chain / TARGET, "--policy", policy), 2)
    assert "not UTF-8" in line


def test_missing_trust_config_is_a_policy_error(good_chain, tmp_path, cli):
    """A keyless publisher's trust_config that does not exist is bad input (exit 2), like a
    missing public key file, not a verification failure of whatever it would verify."""
    (tmp_path / "keys").symlink_to(good_chain / "keys")
    text = policy_yaml().replace("keys/vendor-trust-config.json", "keys/absent-trust.json")
    policy = write_policy(tmp_path, text)
    args = ["verify-chain", TARGET, "--policy", policy]
    for folder in (
        "models/tiny-chat",
        "models/tiny-base",
        "datasets/tiny-instruct",
        "datasets/tiny-corpus",
        "models/tiny-chat-lora",
    ):
        args += ["--with", folder]
    line = one_line_error(cli(*args, cwd=good_chain.root), 2)
    assert "absent-trust.json" in line


def test_publishers_may_be_ours(good_chain, tmp_path):
    text = policy_yaml(keys=str(good_chain / "keys"))
    assert "ours" not in text
    marked = text.replace("  - name: vendor\n", "  - name: vendor\n    ours: true\n", 1)
    assert marked != text
    loaded = load_policy(write_policy(tmp_path, marked))
    assert [n for n, p in loaded.publishers.items() if p.ours] == ["vendor"]
    bad = write_policy(tmp_path, text.replace("  - name: vendor\n",
                                              "  - name: vendor\n    ours: maybe\n", 1),
                       name="bad.yaml")
    with pytest.raises(InputError):
        load_policy(bad)
