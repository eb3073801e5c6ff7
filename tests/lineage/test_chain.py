"""`aibom verify-chain`: the whole sample chain verifies under a policy, and each way of
breaking it fails with a precise reason on the precise check.

Every negative test works on a private copy of the session's good chain (`chain`), changes
one thing, and asserts the exact set of failing checks, their rule and a keyword of their
reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aibom.lineage.attest import Artifact, attest, describe, read_lineage, statement
from aibom.oms.sign import sign_model, sign_payload

from .conftest import (
    BASE,
    CHAT,
    CORPUS,
    INSTRUCT,
    LORA,
    ORG,
    Q8,
    TARGET,
    WITH,
    Chain,
    one_line_error,
    write_policy,
)

NODES = {
    BASE: "vendor",
    CORPUS: "vendor",
    CHAT: "acme-ml",
    INSTRUCT: "acme-ml-key",
    LORA: "acme-ml-key",
    Q8: "acme-ml-key",
}
LINEAGE_EDGES = {
    f"{BASE} -> {CORPUS}": "trained_on: attested by vendor",
    f"{CHAT} -> {BASE}": "finetuned_from: attested by acme-ml",
    f"{CHAT} -> {INSTRUCT}": "trained_on: attested by acme-ml",
    f"{LORA} -> {CHAT}": "adapter_of: attested by acme-ml-key",
    f"{Q8} -> {CHAT}": "quantized_from: attested by acme-ml-key",
}


def failed_subjects(run) -> set[str]:
    return {c["subject"] for c in run.failures()}


def digest(path: Path) -> str:
    return describe(path).root_digest


def write_attestation(model: Path, payload: bytes, signer) -> None:
    bundle = sign_payload(payload, signer)
    (model / "lineage.sig").write_bytes(json.dumps(bundle, indent=2, sort_keys=True).encode())


# -- the good chain --------------------------------------------------------------------------


def test_four_level_chain_verifies_every_node_and_lineage_edge(good_chain, verify_chain):
    """vendor base (keyless) -> adopted fine-tune (certificate chain) -> LoRA adapter and
    quantized GGUF (organisation key), with the fine-tune's training dataset."""
    run = verify_chain(good_chain)
    assert run.code == 0, run.summary()
    nodes = {c["subject"]: c for c in run.checks if c["kind"] == "node"}
    assert set(nodes) == set(NODES)
    for ref, publisher in NODES.items():
        assert nodes[ref]["status"] == "verified", nodes[ref]
        assert nodes[ref]["signer"] == publisher
        assert nodes[ref]["rule"] == "aibom/node"
    edges = [c for c in run.checks if c["kind"] == "edge"]
    for subject, reason in LINEAGE_EDGES.items():
        (edge,) = [c for c in edges if c["subject"] == subject and c["reason"] == reason]
        assert edge["status"] == "verified", edge
        assert edge["rule"] == "aibom/edge"
    # The card's model-index names tiny-instruct as an evaluation set: that is not lineage,
    # the policy does not require it to be attested, and it is reported as declared only.
    others = [c for c in edges if c["reason"] not in LINEAGE_EDGES.values()]
    assert [(c["subject"], c["status"]) for c in others] == [
        (f"{CHAT} -> {INSTRUCT}", "declared-only")
    ]
    assert others[0]["reason"].startswith("evaluated_on:")
    assert not [c for c in run.checks if c["kind"] == "graph"]


def test_good_chain_as_a_real_process_text_output(good_chain):
    write_policy(good_chain.root, name="policy-text.yaml")
    args = ["verify-chain", TARGET, "--policy", "policy-text.yaml"]
    for folder in WITH:
        args += ["--with", folder]
    done = subprocess.run(
        [sys.executable, "-m", "aibom.cli", *args],
        cwd=good_chain.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[-1] == "chain verified"
    assert len(lines) == 1 + len(NODES) + len(LINEAGE_EDGES) + 1
    assert all(line.split()[0] in ("verified", "declared-only") for line in lines[:-1])
    assert any(line.startswith("verified") and CHAT in line and "acme-ml" in line for line in lines)


# -- 1. a base swapped for another correctly signed base --------------------------------------


def test_base_swapped_for_another_vendor_signed_base(chain, verify_chain):
    base = chain / "models/tiny-base"
    original = digest(base)
    shutil.rmtree(base)
    shutil.copytree(chain.alt_base, base)
    impostor = digest(base)
    assert impostor != original

    run = verify_chain(chain)
    assert run.code == 1
    # The impostor is genuinely signed by the vendor: its own node verifies ...
    assert run.check(BASE)["status"] == "verified"
    # ... but the fine-tune's attestation names the other digest.
    edge = run.failed(f"{CHAT} -> {BASE}")
    assert edge["rule"] == "aibom/attestation"
    assert "attestation names parent digest" in edge["reason"]
    assert original[:16] in edge["reason"] and impostor[:16] in edge["reason"]
    # The base it attests is nowhere in the chain.
    missing = run.failed(f"{CHAT} -> model:tiny-base#sha256:{original[:16]}")
    assert missing["rule"] == "aibom/missing-parent"
    assert "missing parent" in missing["reason"]
    assert failed_subjects(run) == {edge["subject"], missing["subject"]}


# -- 2. attestations signed outside the policy ------------------------------------------------


@pytest.mark.parametrize("who", ["rogue-key", "rogue-certificate", "vendor-keyless"])
def test_attestation_signed_outside_the_policy(chain, verify_chain, who):
    signer = {
        "rogue-key": chain.rogue.key_signer,
        "rogue-certificate": chain.rogue.cert_signer,
        "vendor-keyless": chain.vendor.signer,  # in the policy, but not for this component
    }[who]()
    q8 = chain / "models/tiny-chat-q8"
    attest(q8, parents=[chain / "models/tiny-chat"], relation="quantized", signer=signer)

    run = verify_chain(chain)
    assert run.code == 1
    edge = run.failed(f"{Q8} -> {CHAT}")
    assert edge["rule"] == "aibom/attestation"
    assert edge["reason"].startswith("quantized_from: lineage attestation: signer")
    assert "is not an allowed publisher (acme-ml, acme-ml-key)" in edge["reason"]
    if who == "vendor-keyless":
        assert "release@vendor.example" in edge["reason"]
    assert run.check(Q8)["status"] == "verified"  # the model's own signature is fine
    assert failed_subjects(run) == {edge["subject"]}


def test_attestation_with_a_tampered_payload(chain, verify_chain):
    """The parent digest edited inside a genuinely signed envelope: the signature breaks."""
    import base64

    sig = chain / "models/tiny-chat-q8/lineage.sig"
    bundle = json.loads(sig.read_bytes())
    payload = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    payload["predicate"]["parents"][0]["name"] = "tiny-chat-evil"
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(raw).decode()
    sig.write_text(json.dumps(bundle))

    run = verify_chain(chain)
    edge = run.failed(f"{Q8} -> {CHAT}")
    assert "bad signature" in edge["reason"]
    assert failed_subjects(run) == {edge["subject"]}


def test_attestation_of_another_model(chain, verify_chain):
    """The adapter's (valid, allowed) attestation copied beside the quantized model."""
    lora, q8 = chain / "models/tiny-chat-lora", chain / "models/tiny-chat-q8"
    shutil.copy(lora / "lineage.sig", q8 / "lineage.sig")

    run = verify_chain(chain)
    assert run.code == 1
    # both the card's quantized_from and the copied statement's adapter_of edge
    for relation in ("quantized_from", "adapter_of"):
        edge = run.failed(f"{Q8} -> {CHAT}", relation)
        assert edge["rule"] == "aibom/attestation"
        assert f"lineage attestation is about {digest(lora)[:16]}" in edge["reason"]
        assert f"not this model ({digest(q8)[:16]})" in edge["reason"]
    assert failed_subjects(run) == {f"{Q8} -> {CHAT}"}


# -- 3. an attestation naming another parent digest --------------------------------------------


def test_attestation_naming_another_parent_digest(chain, verify_chain):
    q8, chat = chain / "models/tiny-chat-q8", chain / "models/tiny-chat"
    other = digest(chain.alt_base)
    payload = statement(describe(q8), "quantized", [Artifact("tiny-chat", other)], [])
    write_attestation(q8, payload, chain.keys.key_signer())  # an allowed publisher

    run = verify_chain(chain)
    assert run.code == 1
    edge = run.failed(f"{Q8} -> {CHAT}")
    assert edge["rule"] == "aibom/attestation"
    assert (
        f"attestation names parent digest {other[:16]}, but {ORG}/tiny-chat is "
        f"{digest(chat)[:16]}" in edge["reason"]
    )
    missing = run.failed(f"{Q8} -> model:tiny-chat#sha256:{other[:16]}")
    assert "missing parent" in missing["reason"]
    assert failed_subjects(run) == {edge["subject"], missing["subject"]}


def test_attestation_naming_another_relation(chain, verify_chain):
    q8 = chain / "models/tiny-chat-q8"
    attest(
        q8,
        parents=[chain / "models/tiny-chat"],
        relation="finetune",
        signer=chain.keys.key_signer(),
    )
    run = verify_chain(chain)
    assert run.code == 1
    failures = run.failures()
    assert [c["subject"] for c in failures] == [f"{Q8} -> {CHAT}"]
    assert failures[0]["reason"] == (
        "quantized_from: attestation says 'finetune', the graph says quantized_from"
    )


# -- 4. a fine-tune re-signed by someone the policy does not know ------------------------------


@pytest.mark.parametrize("who", ["other-certificate-chain", "other-keyless-identity"])
def test_finetune_resigned_by_unknown_identity(chain, verify_chain, who):
    chat = chain / "models/tiny-chat"
    if who == "other-certificate-chain":
        signer, expected = chain.rogue.cert_signer, "signer certificate sha256:"
    else:
        signer, expected = (
            lambda: chain.vendor.signer("mallory@evil.example"),
            "signer mallory@evil.example (https://accounts.vendor.example)",
        )
    sign_model(chat, chat / "model.sig", signer())
    attest(
        chat,
        parents=[chain / "models/tiny-base"],
        relation="finetune",
        datasets=[chain / "datasets/tiny-instruct"],
        signer=signer(),
    )

    run = verify_chain(chain)
    assert run.code == 1
    node = run.failed(CHAT)
    assert node["rule"] == "aibom/signer"
    assert expected in node["reason"]
    assert "is not an allowed publisher (acme-ml, acme-ml-key)" in node["reason"]
    for parent, relation in ((BASE, "finetuned_from"), (INSTRUCT, "trained_on")):
        edge = run.failed(f"{CHAT} -> {parent}", relation)
        assert edge["rule"] == "aibom/attestation"
        assert expected in edge["reason"] and "lineage attestation" in edge["reason"]
    assert failed_subjects(run) == {CHAT, f"{CHAT} -> {BASE}", f"{CHAT} -> {INSTRUCT}"}


def test_base_resigned_by_another_identity_of_the_vendors_issuer(chain, verify_chain):
    base = chain / "models/tiny-base"
    sign_model(base, base / "model.sig", chain.vendor.signer("mallory@evil.example"))
    run = verify_chain(chain)
    node = run.failed(BASE)
    assert node["rule"] == "aibom/signer"
    assert (
        "wrong identity: signed by 'mallory@evil.example', expected 'release@vendor.example'"
        in node["reason"]
    )
    assert failed_subjects(run) == {BASE}


# -- 5. unsigned nodes -------------------------------------------------------------------------


def test_unsigned_dataset_when_signatures_all(chain, verify_chain):
    (chain / "datasets/tiny-corpus/model.sig").unlink()
    run = verify_chain(chain)  # policy: signatures: all
    assert run.code == 1
    node = run.failed(CORPUS)
    assert node["rule"] == "aibom/unsigned"
    assert node["reason"] == f"{ORG}/tiny-corpus is not signed, and the policy requires signatures"
    # the vendor's attestation names its content digest, which needs no signature
    assert run.check(f"{BASE} -> {CORPUS}")["status"] == "verified"
    assert failed_subjects(run) == {CORPUS}


def test_unsigned_dataset_allowed_when_signatures_models(chain, verify_chain):
    (chain / "datasets/tiny-corpus/model.sig").unlink()
    write_policy(chain.root, signatures="models")
    run = verify_chain(chain)
    assert run.code == 0, run.summary()
    assert run.check(CORPUS)["status"] == "declared-only"
    assert run.check(CORPUS)["reason"] == "not signed (allowed by policy)"


@pytest.mark.parametrize(("signatures", "code"), [("all", 1), ("models", 1), ("none", 0)])
def test_unsigned_adapter(chain, verify_chain, signatures, code):
    (chain / "models/tiny-chat-lora/model.sig").unlink()
    write_policy(chain.root, signatures=signatures)
    run = verify_chain(chain)
    assert run.code == code, run.summary()
    node = run.check(LORA)
    if code:
        assert node["status"] == "failed" and node["rule"] == "aibom/unsigned"
        assert "tiny-chat-lora is not signed" in node["reason"]
        assert failed_subjects(run) == {LORA}
    else:
        assert node["status"] == "declared-only"
    # its attestation still holds: it names the content digest, signed or not
    assert run.check(f"{LORA} -> {CHAT}")["status"] == "verified"


# -- 6. adopted models whose scan is not clean -------------------------------------------------


def _adoption_with(chain: Chain, scan: dict) -> bytes:
    chat = chain / "models/tiny-chat"
    record = dict(read_lineage(chat / "lineage.sig").adoption or {})
    record["scan"] = scan
    return statement(
        describe(chat),
        "finetune",
        [describe(chain / "models/tiny-base")],
        [describe(chain / "datasets/tiny-instruct", use="training")],
        record,
    )


FINDINGS = {
    "tool": "aibom-pickle-scan",
    "result": "findings",
    "scannedFiles": 1,
    "findings": [{"file": "evil.pkl", "module": "os", "name": "system", "severity": "dangerous"}],
}


@pytest.mark.parametrize(("scan", "code"), [("clean", 1), ("none", 0)])
def test_adoption_attestation_recording_findings(chain, verify_chain, scan, code):
    chat = chain / "models/tiny-chat"
    write_attestation(chat, _adoption_with(chain, FINDINGS), chain.keys.key_signer())
    write_policy(chain.root, scan=scan)

    run = verify_chain(chain)
    assert run.code == code, run.summary()
    if code:
        node = run.failed(CHAT)
        assert node["rule"] == "aibom/scan"
        assert node["reason"] == "adopted without a clean scan"
        assert failed_subjects(run) == {CHAT}
    # the attestation itself is genuine and allowed: the lineage edges hold
    assert run.check(f"{CHAT} -> {BASE}")["status"] == "verified"


def test_signed_dangerous_pickle_behind_a_clean_adoption_record(chain, verify_chain):
    """Someone signs a model with a malicious pickle and claims a clean scan: the pickle
    is scanned again (statically) when the chain is verified."""
    import pickle

    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    chat = chain / "models/tiny-chat"
    (chat / "evil.pkl").write_bytes(pickle.dumps(Exploit()))
    sign_model(chat, chat / "model.sig", chain.keys.cert_signer())
    clean = {"tool": "aibom-pickle-scan", "result": "clean", "scannedFiles": 1, "findings": []}
    write_attestation(chat, _adoption_with(chain, clean), chain.keys.cert_signer())
    for name, relation in (("tiny-chat-lora", "adapter"), ("tiny-chat-q8", "quantized")):
        attest(
            chain / "models" / name,
            parents=[chat],
            relation=relation,
            signer=chain.keys.key_signer(),
        )  # the children name the new content

    run = verify_chain(chain)
    assert run.code == 1
    node = run.failed(CHAT)
    assert node["rule"] == "aibom/scan"
    assert node["reason"] == f"scan finds {os.system.__module__}.system in evil.pkl"
    assert failed_subjects(run) == {CHAT}


def test_require_scan_all_rescans_every_signed_component(chain, verify_chain):
    """`scan: all` scans components that were never adopted; `scan: clean` does not."""
    import pickle

    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    lora = chain / "models/tiny-chat-lora"
    (lora / "optimizer.pt").write_bytes(pickle.dumps(Exploit()))
    sign_model(lora, lora / "model.sig", chain.keys.key_signer())
    attest(lora, parents=[chain / "models/tiny-chat"], relation="adapter",
           signer=chain.keys.key_signer())  # fmt: skip
    first = verify_chain(chain)  # the default policy only rescans adopted models
    assert first.code == 0, [c for c in first.checks if c["status"] != "verified"]
    write_policy(chain.root, name="all.yaml", scan="all")
    run = verify_chain(chain, policy="all.yaml")
    assert run.code == 1
    node = run.failed(LORA)
    assert (node["rule"], node["reason"]) == (
        "aibom/scan", f"scan finds {os.system.__module__}.system in optimizer.pt")
    assert failed_subjects(run) == {LORA}


def test_require_scan_all_without_rehash_needs_a_recorded_scan(chain, verify_chain):
    write_policy(chain.root, name="all.yaml", scan="all")
    run = verify_chain(chain, "--no-rehash", policy="all.yaml")
    assert run.code == 1
    assert run.failed(CHAT)["reason"] == "no scan result recorded (build the AIBOM with --scan)"


# -- 7. cycles ---------------------------------------------------------------------------------


def _two_models(root: Path, make_samples, keys) -> tuple[Path, Path]:
    """models/a and models/b, each card declaring the other as its base_model."""
    ms = make_samples
    dirs = []
    for name, other, seed in (("a", "b", 5), ("b", "a", 6)):
        folder = root / "models" / name
        ms.write(
            folder / "README.md",
            ms.card(f"base_model: {ORG}/{other}\nbase_model_relation: finetune", name, "x"),
        )
        ms.write(folder / "config.json", ms.config())
        ms.write(folder / "model.safetensors", ms.safetensors(ms.WEIGHTS, seed=seed))
        sign_model(folder, folder / "model.sig", keys.key_signer())
        dirs.append(folder)
    return dirs[0], dirs[1]


@pytest.mark.parametrize("lineage", ["declared", "attested"])
def test_cycle_in_declared_lineage(chain, verify_chain, make_samples, lineage):
    a, b = _two_models(chain.root, make_samples, chain.keys)
    if lineage == "attested":  # lineage.sig is not part of a root digest: both can attest
        attest(a, parents=[b], relation="finetune", signer=chain.keys.key_signer())
        attest(b, parents=[a], relation="finetune", signer=chain.keys.key_signer())
    write_policy(chain.root, lineage=lineage)

    run = verify_chain(chain, target="models/a", with_dirs=("models/b",))
    assert run.code == 1
    (cycle,) = [c for c in run.checks if c["kind"] == "graph"]
    assert cycle["subject"] == f"model:{ORG}/a -> model:{ORG}/b"
    assert cycle["status"] == "failed"
    assert cycle["rule"] == "aibom/cycle"
    assert cycle["reason"] == "cycle in lineage"
    assert run.check(f"model:{ORG}/a")["status"] == "verified"
    assert run.check(f"model:{ORG}/b")["status"] == "verified"
    edge_status = "verified" if lineage == "attested" else "declared-only"
    for subject in (f"model:{ORG}/a -> model:{ORG}/b", f"model:{ORG}/b -> model:{ORG}/a"):
        edges = [c for c in run.checks if c["kind"] == "edge" and c["subject"] == subject]
        assert [e["status"] for e in edges] == [edge_status]
    assert [c["kind"] for c in run.failures()] == ["graph"]


# -- 8. a missing parent -----------------------------------------------------------------------


def test_missing_parent(good_chain, verify_chain):
    base = digest(good_chain / "models/tiny-base")
    # (tiny-corpus goes too: nothing left declares its hub id, see the report)
    without_base = tuple(d for d in WITH if d not in ("models/tiny-base", "datasets/tiny-corpus"))
    run = verify_chain(good_chain, with_dirs=without_base)
    assert run.code == 1
    declared = run.failed(f"{CHAT} -> {BASE}")  # README.md: base_model
    attested = run.failed(f"{CHAT} -> model:tiny-base#sha256:{base[:16]}")  # lineage.sig
    for edge in (declared, attested):
        assert edge["rule"] == "aibom/missing-parent"
        assert edge["reason"].startswith("finetuned_from: missing parent")
    assert "aibom-samples/tiny-base" in declared["reason"]
    assert failed_subjects(run) == {declared["subject"], attested["subject"]}
    # the absent base is reported, not failed: it is the edges that cannot hold
    assert run.check(BASE)["status"] == "declared-only"


# -- --no-rehash -------------------------------------------------------------------------------


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def test_no_rehash_checks_signatures_without_the_weights(chain, verify_chain, monkeypatch):
    _flip_last_byte(chain / "models/tiny-chat-lora/adapter_model.safetensors")

    run = verify_chain(chain)
    assert run.code == 1
    node = run.failed(LORA)
    assert node["rule"] == "aibom/files"
    assert node["reason"] == (
        "files do not match the signature: modified: adapter_model.safetensors"
    )
    assert failed_subjects(run) == {LORA}

    import aibom.chain
    import aibom.scan

    def never(*args, **kwargs):
        raise AssertionError("--no-rehash read the model files")

    monkeypatch.setattr(aibom.chain, "check_model", never)
    monkeypatch.setattr(aibom.scan, "scan_model", never)
    run = verify_chain(chain, "--no-rehash")
    assert run.code == 0, run.summary()
    assert run.check(LORA)["status"] == "verified"


def test_no_rehash_still_checks_signers(chain, verify_chain):
    lora = chain / "models/tiny-chat-lora"
    sign_model(lora, lora / "model.sig", chain.rogue.key_signer())
    run = verify_chain(chain, "--no-rehash")
    assert run.code == 1
    assert run.failed(LORA)["rule"] == "aibom/signer"


# -- output formats ----------------------------------------------------------------------------


def _failing_chain(chain: Chain) -> None:
    _flip_last_byte(chain / "models/tiny-chat-lora/adapter_model.safetensors")
    (chain / "datasets/tiny-corpus/model.sig").unlink()


def _args(fmt: str) -> list[str]:
    args = ["verify-chain", TARGET, "--policy", "policy.yaml", "--format", fmt]
    for folder in WITH:
        args += ["--with", folder]
    return args


def test_json_output(chain, cli):
    _failing_chain(chain)
    write_policy(chain.root)
    run = cli(*_args("json"), cwd=chain.root)
    assert run.code == 1 and run.err == ""
    data = run.json()
    assert data["verified"] is False
    assert set(data) == {"verified", "checks"}
    for check in data["checks"]:
        assert {"kind", "subject", "status", "reason", "rule"} <= set(check)
        assert check["status"] in ("verified", "declared-only", "failed")
        assert check["kind"] in ("node", "edge", "graph")
        assert check["rule"].startswith("aibom/")
        if check["status"] == "verified" and check["kind"] == "node":
            assert check["signer"] in ("vendor", "acme-ml", "acme-ml-key")
    failed = {c["subject"]: c for c in data["checks"] if c["status"] == "failed"}
    assert set(failed) == {LORA, CORPUS}
    assert failed[LORA]["location"].endswith("models/tiny-chat-lora")


def test_sarif_output(chain, cli):
    _failing_chain(chain)
    write_policy(chain.root)
    checks = cli(*_args("json"), cwd=chain.root).json()["checks"]
    run = cli(*_args("sarif"), cwd=chain.root)
    assert run.code == 1 and run.err == ""
    sarif = run.json()
    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    assert len(sarif["runs"]) == 1
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "aibom"
    assert driver["version"]
    rules = [r["id"] for r in driver["rules"]]
    assert len(rules) == len(set(rules))
    assert all(r["shortDescription"]["text"] for r in driver["rules"])
    results = sarif["runs"][0]["results"]
    assert len(results) == len(checks)  # one result per check
    for result, check in zip(results, checks, strict=True):
        assert result["ruleId"] == check["rule"]
        assert result["ruleId"] in rules
        assert rules[result["ruleIndex"]] == result["ruleId"]
        assert result["message"]["text"] == f"{check['subject']}: {check['reason']}"
        assert result["properties"]["aibom:status"] == check["status"]
        level = {"failed": "error", "declared-only": "warning", "verified": "none"}
        assert result["level"] == level[check["status"]]
        if check["status"] == "verified":
            assert result["kind"] == "pass"
        else:
            assert "kind" not in result or result["kind"] == "fail"
        assert result["locations"][0]["logicalLocations"][0]["name"] == check["subject"]
    errors = [r for r in results if r["level"] == "error"]
    assert {r["ruleId"] for r in errors} == {"aibom/files", "aibom/unsigned"}
    assert set(rules) == {c["rule"] for c in checks}


def test_text_output_of_a_failing_chain(chain, cli):
    _failing_chain(chain)
    write_policy(chain.root)
    run = cli(*_args("text"), cwd=chain.root)
    assert run.code == 1 and run.err == ""
    lines = run.out.splitlines()
    assert lines[-1] == "chain FAILED: 2 check(s) failed"
    failed = [line for line in lines if line.startswith("failed")]
    assert len(failed) == 2
    assert any(LORA in line and "modified: adapter_model.safetensors" in line for line in failed)


# -- verify-chain on an AIBOM file -------------------------------------------------------------


def _build_aibom(chain: Chain, cli, name: str = "chain.cdx.json") -> Path:
    args = ["build", TARGET, "-o", name]
    for folder in WITH:
        args += ["--with", folder]
    run = cli(*args, cwd=chain.root)
    if run.code != 0:
        pytest.xfail(f"aibom build (CycloneDX exporter) fails: {run.err.strip()}")
    return chain.root / name


def test_verify_chain_on_an_aibom_file(chain, cli, tmp_path):
    document = _build_aibom(chain, cli)
    policy = write_policy(chain.root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = cli("verify-chain", document, "--policy", policy, "--format", "json", cwd=elsewhere)
    assert run.err == ""
    checks = run.json()["checks"]
    failures = [c for c in checks if c["status"] == "failed"]
    if failures and all("no model directory recorded" in c["reason"] for c in failures):
        pytest.xfail(
            "the CycloneDX AIBOM does not carry each component's directory "
            "(Component.location): " + failures[0]["reason"]
        )
    assert run.code == 0, failures
    statuses = {c["subject"]: c["status"] for c in checks}
    assert all(statuses[ref] == "verified" for ref in NODES)
    assert all(statuses[subject] == "verified" for subject in LINEAGE_EDGES)


def test_verify_chain_on_an_aibom_file_no_rehash(chain, cli):
    document = _build_aibom(chain, cli)
    policy = write_policy(chain.root)
    run = cli("verify-chain", document, "--policy", policy, "--format", "json", "--no-rehash")
    assert run.code == 0, run.out + run.err
    statuses = {c["subject"]: c["status"] for c in run.json()["checks"]}
    assert all(statuses[ref] == "verified" for ref in NODES)
    assert all(statuses[subject] == "verified" for subject in LINEAGE_EDGES)


def test_aibom_file_with_a_signer_outside_the_policy(chain, cli):
    lora = chain / "models/tiny-chat-lora"
    sign_model(lora, lora / "model.sig", chain.rogue.key_signer())
    document = _build_aibom(chain, cli)
    policy = write_policy(chain.root)
    run = cli("verify-chain", document, "--policy", policy, "--format", "json", "--no-rehash")
    assert run.code == 1
    failed = [c for c in run.json()["checks"] if c["status"] == "failed"]
    assert [(c["subject"], c["rule"]) for c in failed] == [(LORA, "aibom/signer")]


# -- an AIBOM pointing outside its directory ---------------------------------------------------

_WATCHED: set[str] = set()
_OPENED: list[str] = []


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _WATCHED and isinstance(args[0], str | bytes | os.PathLike):
        path = os.path.realpath(os.fsdecode(args[0]))
        if path in _WATCHED:
            _OPENED.append(path)


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one only watches _WATCHED


@pytest.fixture
def never_opened():
    """Files registered here must not be opened by the test (checked with an audit hook)."""

    def watch(path: Path) -> None:
        _WATCHED.add(os.path.realpath(path))

    _OPENED.clear()
    yield watch
    opened = list(_OPENED)
    _WATCHED.clear()
    _OPENED.clear()
    assert not opened, f"opened {opened}"


def _point_signature(document: Path, ref: str, kind: str, url: str) -> None:
    data = json.loads(document.read_text())
    component = next(c for c in data["components"] if c["bom-ref"] == ref)
    entry = next(r for r in component["externalReferences"] if r["type"] == kind)
    entry["url"] = url
    document.write_text(json.dumps(data, indent=2))


@pytest.mark.parametrize("kind", ["digital-signature", "attestation"])
@pytest.mark.parametrize("target", ["planted-secret", "etc-passwd"])
def test_aibom_bundle_path_outside_its_directory(chain, cli, tmp_path, never_opened, kind, target):
    document = _build_aibom(chain, cli)
    policy = write_policy(chain.root)
    if target == "planted-secret":
        secret_text = "TOPSECRET-7f3a9c"
        secret = tmp_path / "secret.sig"  # beside the chain, outside its directory
        secret.write_text(secret_text)
        url = "../secret.sig"
    else:
        secret, secret_text = Path("/etc/passwd"), "root:"
        url = "../" * (len(chain.root.parts) - 1) + "etc/passwd"
    assert (chain.root / url).resolve() == secret.resolve()
    _point_signature(document, LORA, kind, url)
    never_opened(secret)

    outputs = []
    for fmt in ("json", "sarif", "text"):
        run = cli("verify-chain", document, "--policy", policy, "--format", fmt, "--no-rehash")
        assert run.code == 1, run.out + run.err
        outputs.append(run.out + run.err)
        if fmt == "json":
            failed = [c for c in run.json()["checks"] if c["status"] == "failed"]
            assert failed, run.out
            for check in failed:
                assert "outside" in check["reason"], check
            subjects = {c["subject"] for c in failed}
            if kind == "digital-signature":
                assert subjects == {LORA}
                assert failed[0]["rule"] == "aibom/signature"
            else:
                assert subjects == {f"{LORA} -> {CHAT}"}
                assert failed[0]["rule"] == "aibom/attestation"
    for text in outputs:
        assert secret_text not in text


def test_aibom_bundle_that_is_a_symlink_leading_outside(chain, cli, tmp_path, never_opened):
    document = _build_aibom(chain, cli)
    policy = write_policy(chain.root)
    secret = tmp_path / "secret.sig"
    secret.write_bytes((chain / "models/tiny-chat-lora/model.sig").read_bytes())
    sig = chain / "models/tiny-chat-lora/model.sig"
    sig.unlink()
    sig.symlink_to(secret)
    never_opened(secret)
    run = cli("verify-chain", document, "--policy", policy, "--format", "json", "--no-rehash")
    assert run.code == 1
    failed = [c for c in run.json()["checks"] if c["status"] == "failed"]
    assert [c["subject"] for c in failed] == [LORA]
    assert "outside" in failed[0]["reason"]


def test_aibom_location_outside_its_directory(chain, cli, tmp_path, never_opened):
    """The component's recorded directory leads outside: it is not re-hashed from there,
    even though the files there would match the signature."""
    document = _build_aibom(chain, cli)
    policy = write_policy(chain.root)
    victim = tmp_path / "victim"
    shutil.copytree(chain / "models/tiny-chat-lora", victim)
    data = json.loads(document.read_text())
    component = next(c for c in data["components"] if c["bom-ref"] == LORA)
    locations = [p for p in component.get("properties", []) if p["name"] == "aibom:location"]
    if not locations:
        pytest.xfail("the CycloneDX AIBOM does not record aibom:location")
    locations[0]["value"] = "../victim"
    document.write_text(json.dumps(data))
    for name in ("adapter_model.safetensors", "adapter_config.json", "README.md"):
        never_opened(victim / name)
    run = cli("verify-chain", document, "--policy", policy, "--format", "json")
    assert run.code == 1
    failed = [c for c in run.json()["checks"] if c["status"] == "failed"]
    assert [(c["subject"], c["rule"]) for c in failed] == [(LORA, "aibom/files")]
    assert "outside" in failed[0]["reason"]


def test_aibom_file_rehashes_the_weights(chain, cli):
    document = _build_aibom(chain, cli)
    policy = write_policy(chain.root)
    _flip_last_byte(chain / "models/tiny-chat-lora/adapter_model.safetensors")
    run = cli("verify-chain", document, "--policy", policy, "--format", "json")
    failed = [c for c in run.json()["checks"] if c["status"] == "failed"]
    if failed and all("no model directory recorded" in c["reason"] for c in failed):
        pytest.xfail("the CycloneDX AIBOM does not record aibom:location")
    assert run.code == 1
    assert [(c["subject"], c["rule"]) for c in failed] == [(LORA, "aibom/files")]
    assert "modified: adapter_model.safetensors" in failed[0]["reason"]
    run = cli("verify-chain", document, "--policy", policy, "--no-rehash")
    assert run.code == 0, run.out


def test_root_option_widens_what_may_be_read(chain, cli, tmp_path):
    """--root is the documented way to let an AIBOM reference files beside it."""
    document = _build_aibom(chain, cli)
    policy = write_policy(chain.root)
    moved = tmp_path / "lora-model.sig"
    shutil.copy(chain / "models/tiny-chat-lora/model.sig", moved)
    _point_signature(document, LORA, "digital-signature", "../lora-model.sig")
    args = ["verify-chain", document, "--policy", policy, "--format", "json", "--no-rehash"]
    assert cli(*args).code == 1
    run = cli(*args, "--root", tmp_path)
    assert run.code == 0, run.out


# -- usage errors ------------------------------------------------------------------------------


def test_verify_chain_on_a_missing_target(good_chain, cli):
    write_policy(good_chain.root)
    line = one_line_error(
        cli("verify-chain", "nope.cdx.json", "--policy", "policy.yaml", cwd=good_chain.root)
    )
    assert "nope.cdx.json" in line


def test_verify_chain_on_a_file_that_is_not_an_aibom(good_chain, cli):
    write_policy(good_chain.root)
    line = one_line_error(
        cli(
            "verify-chain",
            "models/tiny-chat-q8/README.md",
            "--policy",
            "policy.yaml",
            cwd=good_chain.root,
        )
    )
    assert "README.md" in line
