"""Verify a whole provenance graph against a policy: every node, every edge, one verdict each.

For each component (node):
 1. It must be present (an external, declared-only component cannot be verified).
 2. Its OMS signature must exist when the policy requires one, be the very bundle the graph
    recorded (SHA-256), carry the recorded root digest, and verify with one of the
    publishers the policy allows for the component's name.
 3. Unless `rehash` is off, its files must match the signature (a full OMS verification).
 4. If it was adopted from upstream, its attestation must record a clean scan, and its
    files must scan clean now (aibom.scan).
For each edge (child -> parent):
 5. Lineage and training edges must be attested when the policy says so: the child's
    lineage attestation verifies with a publisher allowed for the child, its subject is the
    child's root digest, and it names the parent's exact root digest with the same relation.
 6. A declared edge to a component that is not present is a missing parent.
And for the graph: 7. no cycle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from aibom.errors import AibomError, InputError, VerificationError
from aibom.graph import Component, Edge, Kind, Level, ProvenanceGraph, Relation
from aibom.lineage.attest import Lineage, read_lineage
from aibom.oms.bundle import SignedStatement, read_bundle
from aibom.oms.verify import accepts_v02_encoding, check_model, verify_signature
from aibom.policy import Policy, Publisher
from aibom.verdicts import Check, Report, RuleId, Status, Subject

VERIFIED, DECLARED, FAILED = Status.VERIFIED, Status.DECLARED, Status.FAILED
__all__ = ["Check", "Report", "RuleId", "Status", "verify_chain", "verify_target"]


@dataclass
class _Context:
    graph: ProvenanceGraph
    policy: Policy
    base: Path
    root: Path
    rehash: bool
    explicit_root: bool = False
    verified_signers: dict[str, str] = field(default_factory=dict)
    lineages: dict[str, Lineage | AibomError] = field(default_factory=dict)


def verify_chain(
    graph: ProvenanceGraph,
    policy: Policy,
    *,
    base: Path,
    root: Path | None = None,
    rehash: bool = True,
) -> Report:
    """`base`: the directory the graph's paths are relative to (the AIBOM's directory);
    `root`: no file outside it is ever read (default: `base`). A recorded path is looked up
    under `root` first (AIBOMs record paths relative to the estate root they were built
    from, so a moved AIBOM still finds its models), then under `base`."""
    ctx = _Context(graph, policy, base, Path(os.path.realpath(root or base)), rehash,
                   explicit_root=root is not None)
    checks = [_node(ctx, c) for c in graph.components()]
    checks += [_edge(ctx, e) for e in graph.edges()]
    for cycle in graph.cycles():
        cycle_text = " -> ".join(cycle)
        checks.append(Check(Subject.GRAPH, cycle_text, FAILED, "cycle in lineage", RuleId.CYCLE))
    return Report(tuple(checks))


def verify_target(
    target: str | Path,
    policy: Policy,
    *,
    with_dirs: tuple[Path, ...] = (),
    root: Path | None = None,
    rehash: bool = True,
) -> Report:
    """Verify an AIBOM file (its paths relative to its directory) or a model: a directory
    or an `hf:` reference (discovered with `with_dirs`, paths relative to the working
    directory)."""
    from aibom.build import read_document
    from aibom.discovery import discover
    from aibom.sources import is_reference

    path = Path(target)
    if is_reference(str(target)) or path.is_dir():
        base = Path.cwd()
        graph = discover(path, with_dirs=with_dirs, relative_to=base).graph
    else:
        base = path.resolve().parent
        graph = read_document(path)
    return verify_chain(graph, policy, base=base, root=root, rehash=rehash)


def _node(ctx: _Context, c: Component) -> Check:
    def failed(reason: str, rule: RuleId, location: str | None = None) -> Check:
        return Check(Subject.NODE, c.ref, FAILED, reason, rule, location=location)

    if not c.local:  # step 1
        absent = "declared by another component, not present"
        return Check(Subject.NODE, c.ref, DECLARED, absent, RuleId.ABSENT)
    required = ctx.policy.signatures == "all" or (
        ctx.policy.signatures == "models" and c.kind != Kind.DATASET
    )
    if c.signature is None:  # step 2
        if required:
            return failed(
                f"{c.name} is not signed, and the policy requires signatures", RuleId.UNSIGNED
            )
        allowed = "not signed (allowed by policy)"
        return Check(Subject.NODE, c.ref, DECLARED, allowed, RuleId.UNSIGNED)
    try:
        bundle_path = _resolve(ctx, c.signature.bundle_path)
        parsed = read_bundle(bundle_path)
    except AibomError as exc:
        return failed(
            f"signature unreadable: {exc.one_line()}", RuleId.SIGNATURE, c.signature.bundle_path
        )
    if parsed.bundle_sha256 != c.signature.bundle_sha256:
        return failed("signature bundle differs from the one the AIBOM recorded", RuleId.SIGNATURE)
    sig = parsed.signature
    if c.root_digest is not None and sig.root_digest != c.root_digest:
        return failed("signature root digest differs from the AIBOM's", RuleId.SIGNATURE)
    if sig.legacy and ctx.policy.legacy_predicate == "forbid":
        return failed("legacy Digests/v0.1 signature format, forbidden by policy", RuleId.LEGACY)
    publisher, reason = _signed_by(
        parsed, ctx.policy.publishers_for(c.name), accepts_v02_encoding(sig)
    )
    if publisher is None:
        return failed(f"{c.name}: {reason}", RuleId.SIGNER, str(bundle_path))
    ctx.verified_signers[c.ref] = publisher.name
    if ctx.rehash:  # step 3
        if not c.location:
            return failed("no model directory recorded to re-hash (use --no-rehash)", RuleId.FILES)
        try:
            directory = _resolve(ctx, c.location)
        except InputError as exc:
            return failed(exc.one_line(), RuleId.FILES, c.location)
        result = check_model(directory, sig, extra_ignores=[bundle_path])
        if not result.ok:
            return failed(
                f"files do not match the signature: {result.reason()}",
                RuleId.FILES,
                str(directory),
            )
    scan = _adoption_scan(ctx, c)  # step 4
    if scan:
        return failed(scan, RuleId.SCAN)
    signed = f"signed by {publisher.describe()}"
    return Check(Subject.NODE, c.ref, VERIFIED, signed, RuleId.NODE, publisher.name)


def _signed_by(
    parsed: SignedStatement, allowed: tuple[Publisher, ...], allow_v02: bool
) -> tuple[Publisher | None, str]:
    if not allowed:
        return None, "no policy rule allows any publisher for this component"
    reasons = []
    for publisher in allowed:
        try:
            verify_signature(parsed, publisher.trust, allow_v02=allow_v02)
            return publisher, ""
        except VerificationError as exc:
            reasons.append(f"{publisher.name}: {exc.one_line()}")
        except InputError as exc:
            reasons.append(f"{publisher.name}: {exc.one_line()}")
    names = ", ".join(p.name for p in allowed)
    return (
        None,
        f"signer {_describe_signer(parsed)} is not an allowed publisher ({names}): "
        + "; ".join(reasons),
    )


def _describe_signer(parsed: SignedStatement) -> str:
    s = parsed.signer
    if s.identity:
        return f"{s.identity} ({s.issuer})"
    if s.certificate_fingerprint:
        return f"certificate sha256:{s.certificate_fingerprint[:16]}"
    return f"key {(s.public_key_hint or s.public_key_fingerprint or 'unknown')[:16]}"


def _lineage(ctx: _Context, c: Component) -> Lineage | AibomError | None:
    """The child's attestation, read and verified once; an error when it does not hold."""
    if c.attestation is None:
        return None
    if c.ref not in ctx.lineages:
        ctx.lineages[c.ref] = _verified_lineage(ctx, c)
    return ctx.lineages[c.ref]


def _verified_lineage(ctx: _Context, c: Component) -> Lineage | AibomError:
    assert c.attestation is not None
    try:
        lineage = read_lineage(_resolve(ctx, c.attestation.bundle_path))
    except AibomError as exc:
        return exc
    if lineage.signed.bundle_sha256 != c.attestation.bundle_sha256:
        return VerificationError("lineage attestation differs from the one the AIBOM recorded")
    publisher, reason = _signed_by(lineage.signed, ctx.policy.publishers_for(c.name), False)
    if publisher is None:
        return VerificationError(f"lineage attestation: {reason}")
    if c.root_digest is None or lineage.subject.root_digest != c.root_digest:
        return VerificationError(
            f"lineage attestation is about {lineage.subject.root_digest[:16]}, "
            f"not this model ({(c.root_digest or 'no digest')[:16]})"
        )
    return lineage


def _edge(ctx: _Context, e: Edge) -> Check:
    subject = f"{e.child} -> {e.parent}"
    child, parent = ctx.graph.component(e.child), ctx.graph.component(e.parent)
    strict = ctx.policy.lineage == "attested" and e.relation != Relation.EVALUATED_ON

    def result(status: Status, reason: str, rule: RuleId) -> Check:
        return Check(Subject.EDGE, subject, status, f"{e.relation.value}: {reason}", rule)

    if not parent.local:  # step 6
        if strict or e.level == Level.ATTESTED:
            return result(
                FAILED,
                f"missing parent {parent.name} (not present to verify)",
                RuleId.MISSING_PARENT,
            )
        return result(
            DECLARED, f"declared by {e.evidence}; {parent.name} not present", RuleId.DECLARED
        )
    lineage = _lineage(ctx, child)  # step 5
    if isinstance(lineage, AibomError):
        return result(FAILED, lineage.one_line(), RuleId.ATTESTATION)
    if lineage is None:
        if strict:
            return result(
                FAILED,
                f"declared only ({e.evidence}); the policy requires attested lineage",
                RuleId.DECLARED,
            )
        return result(DECLARED, f"declared by {e.evidence}", RuleId.DECLARED)
    problem = _names_parent(lineage, e, parent)
    if problem and not strict and e.level == Level.DECLARED:
        return result(
            DECLARED,
            f"declared by {e.evidence}; the attestation does not cover it",
            RuleId.DECLARED,
        )
    if problem:
        return result(FAILED, problem, RuleId.ATTESTATION)
    return result(
        VERIFIED,
        f"attested by {ctx.verified_signers.get(child.ref) or 'an allowed publisher'}",
        RuleId.EDGE,
    )


def _names_parent(lineage: Lineage, e: Edge, parent: Component) -> str | None:
    if e.relation in (Relation.TRAINED_ON, Relation.EVALUATED_ON):
        use = "training" if e.relation == Relation.TRAINED_ON else "evaluation"
        named = tuple(d for d in lineage.datasets if (d.use or "training") == use)
    else:
        if lineage.relation != e.relation.derivation:
            return f"attestation says {lineage.relation!r}, the graph says {e.relation.value}"
        named = lineage.parents
    digests = {a.root_digest for a in named}
    if parent.root_digest in digests:
        return None
    if not named:
        return "the attestation names no such parent"
    return (
        f"attestation names parent digest {sorted(digests)[0][:16]}, "
        f"but {parent.name} is {(parent.root_digest or 'unknown')[:16]}"
    )


def _adoption_scan(ctx: _Context, c: Component) -> str | None:
    """`require.scan`: clean (adopted components must record a clean scan and, when
    re-hashing, scan clean now) or all (every component must also carry a clean recorded
    scan from `aibom build --scan`, or with re-hashing scan clean now)."""
    if ctx.policy.scan == "none":
        return None
    rescan = False
    if ctx.policy.scan == "all":
        if c.scan is None and not (ctx.rehash and c.location):
            return "no scan result recorded (build the AIBOM with --scan)"
        if c.scan is not None and c.scan.verdict != "clean":
            names = f": {', '.join(c.scan.findings)}" if c.scan.findings else ""
            return f"recorded scan is {c.scan.verdict}{names}"
        rescan = True
    lineage = _lineage(ctx, c) if c.attestation is not None else None
    if isinstance(lineage, Lineage) and lineage.adoption:
        if (lineage.adoption.get("scan") or {}).get("result") != "clean":
            return "adopted without a clean scan"
        rescan = True
    return _rescan(ctx, c) if rescan and ctx.rehash and c.location else None


def _rescan(ctx: _Context, c: Component) -> str | None:
    from aibom import scan

    try:
        report = scan.scan_model(_resolve(ctx, str(c.location)))
    except AibomError as exc:
        return f"cannot scan: {exc.one_line()}"
    if report.findings:
        first = report.findings[0]
        return f"scan finds {first.dotted} in {first.file}"
    if report.incomplete:
        return f"scan incomplete: {report.incomplete[0]}"
    return None


def _resolve(ctx: _Context, recorded: str) -> Path:
    """A path recorded in the graph, relative to its base; refused if it leaves the root
    (an AIBOM must not make aibom read /etc/passwd or a file the attacker planted). An
    `hf:ORG/NAME@COMMIT[/FILE]` location is a snapshot of the local hub cache (or a file
    in it, under the containment rule), which is where such models live."""
    from aibom.sources import resolve_location
    from aibom.sources.containment import Containment

    cached = resolve_location(recorded)
    if cached is not None:
        if cached.name and cached.parent.parent.name == "snapshots":
            Containment(cached.parent).resolve(str(cached), cached.name)
        return cached
    anchors = (ctx.root, ctx.base) if ctx.explicit_root else (ctx.base,)
    inside = [path for path in (Path(os.path.realpath(a / recorded)) for a in anchors)
              if os.path.commonpath([path, ctx.root]) == str(ctx.root)]
    if not inside:
        raise InputError(f"{recorded} points outside {ctx.root} (widen it with --root)")
    return next((path for path in inside if path.exists()), inside[0])
