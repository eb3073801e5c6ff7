"""The helper process (aibom.oms.survey): its listing and digests are exactly what the parent
would compute, and whatever it cannot do the parent does itself.

The helper is forked only from a process without other threads, so each check runs in a fresh
interpreter (`_survey`) and reports what the parent side received as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import pki
from support.cli import assert_one_line_failure, run_subprocess, subprocess_env
from support.models import flip_byte, make_model

from aibom._internal.atomic import PARTIAL_SUFFIX
from aibom.oms.hashing import hash_small_file
from aibom.oms.sign import KeySigner, sign_model
from aibom.oms.tree import IgnoreSet, enumerate_model

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper needs fork")

SCRIPT = """
import json, os, sys
from pathlib import Path
from aibom.oms import survey
from aibom.oms.pipeline import HashProgress
from aibom.oms.tree import IgnoreSet
args = json.loads(sys.argv[1])
os.sched_setaffinity(0, range(os.cpu_count() or 2))  # the helper wants two cores
request = survey.SurveyRequest(args["model"], tuple(args["relative"]), (), True, args["links"])
helper = survey.start(request)
if helper is None:
    print(json.dumps({"started": False})); sys.exit()
progress = HashProgress()
helper.attach(progress)
ignore = IgnoreSet(Path(args["model"]), args["relative"] + args["more"])
files = helper.files(ignore)
names = [f.name for f in files] if files is not None else args["ask"]
got = helper.digests()
digests = {n: got[n] for n in names if n in got}
pid = helper._pid
helper.close()
try:
    os.waitpid(pid, os.WNOHANG)
    reaped = False
except ChildProcessError:
    reaped = True
print(json.dumps({
    "started": True,
    "files": None if files is None else [[f.name, f.path, f.size, list(f.identity)] for f in files],
    "digests": digests,
    "progress": [progress.files, progress.bytes, progress.total_files],
    "reaped": reaped,
}))
"""


def _survey(
    model: Path,
    *,
    relative: list[str] | None = None,
    more: list[str] | None = None,
    links: bool = False,
    ask: list[str] | None = None,
) -> dict[str, Any]:
    args = {
        "model": str(model),
        "relative": relative or [],
        "more": more or [],
        "links": links,
        "ask": ask or [],
    }
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(args)],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
        check=True,
    )
    answer: dict[str, Any] = json.loads(proc.stdout)
    if not answer["started"]:
        pytest.skip("no helper on a single core")
    assert answer["reaped"]
    return answer


def _model(root: Path) -> Path:
    model = make_model(
        root,
        {
            "config.json": b'{"a": 1}',
            "empty.bin": b"",
            "sub/deeper/tokenizer.json": b"t" * 5000,
            "weights.bin": os.urandom(2 << 20),  # large: left to the parent and its cache
            ".git/HEAD": b"ref: refs/heads/main\n",
            f".notes.txt.1234-0123456789abcdef{PARTIAL_SUFFIX}": b"a write cut short",
        },
    )
    return model


def test_listing_and_digests_are_the_parents(tmp_path: Path) -> None:
    model = _model(tmp_path / "model")
    answer = _survey(model)
    expected = enumerate_model(model, allow_symlinks=False, ignore=IgnoreSet(model))
    assert answer["files"] == [[f.name, f.path, f.size, list(f.identity)] for f in expected]
    small = {f.name: hash_small_file(f, "sha256") for f in expected if f.size < (1 << 20)}
    assert answer["digests"] == small
    assert "weights.bin" not in answer["digests"]
    assert answer["progress"][:2] == [len(small), sum(f.size for f in expected if f.name in small)]


def test_later_ignore_rules_filter_the_listing(tmp_path: Path) -> None:
    model = _model(tmp_path / "model")
    answer = _survey(model, more=["sub"])
    assert [row[0] for row in answer["files"]] == ["config.json", "empty.bin", "weights.bin"]
    assert "sub/deeper/tokenizer.json" not in answer["digests"]


def test_a_helper_that_cannot_list_leaves_the_work_to_the_parent(tmp_path: Path) -> None:
    model = _model(tmp_path / "model")
    (model / "link.json").symlink_to("config.json")
    answer = _survey(model, ask=["config.json", "empty.bin"])
    assert answer["files"] is None and answer["digests"] == {}
    assert answer["progress"][:2] == [0, 0]  # what it had counted is taken back

    allowed = _survey(model, links=True)
    names = [row[0] for row in allowed["files"]]
    assert "link.json" in names and allowed["digests"]["link.json"] == allowed["digests"][
        "config.json"
    ]


def _sign(model: Path, keypair: pki.KeyPair, signature: Path, **options: Any) -> None:
    sign_model(model, signature, KeySigner(keypair.private_path.read_bytes()), **options)


def _verify(model: Path, signature: Path, keypair: pki.KeyPair, *extra: object):  # type: ignore[no-untyped-def]
    return run_subprocess(
        "verify", model, "--signature", signature, "--public-key", keypair.public_path,
        "--no-cache", *extra,
    )


def test_cli_verdicts_with_the_helper(tmp_path: Path, keypair: pki.KeyPair) -> None:
    model = make_model(
        tmp_path / "model",
        {f"part-{i % 3}/f{i}.bin": bytes([i % 256]) * (100 + i) for i in range(300)}
        | {"big.bin": os.urandom(3 << 20)},
    )
    signature = tmp_path / "model.sig"
    _sign(model, keypair, signature)
    ok = _verify(model, signature, keypair)
    assert ok.code == 0 and ok.out.startswith("verified"), ok.err

    flip_byte(model / "part-1/f7.bin")
    assert_one_line_failure(_verify(model, signature, keypair), 1, "modified: part-1/f7.bin")
    flip_byte(model / "part-1/f7.bin")
    flip_byte(model / "big.bin", 2 << 20)
    assert_one_line_failure(_verify(model, signature, keypair), 1, "modified: big.bin")
    flip_byte(model / "big.bin", 2 << 20)

    (model / "part-2" / "extra.bin").write_bytes(b"x")
    assert_one_line_failure(_verify(model, signature, keypair), 1, "part-2/extra.bin")
    assert _verify(model, signature, keypair, "--ignore-unsigned-files").code == 0
    (model / "part-2" / "extra.bin").unlink()

    (model / "part-0" / "f3.bin").unlink()
    assert_one_line_failure(_verify(model, signature, keypair), 1, "missing: part-0/f3.bin")


def test_cli_uses_the_signatures_own_rules(tmp_path: Path, keypair: pki.KeyPair) -> None:
    """Rules the helper cannot know before the bundle is read: ignore paths and symlinks
    recorded in the signature, another hash type."""
    model = make_model(tmp_path / "model", {f"f{i}.bin": bytes([i]) * 50 for i in range(40)})
    (model / "cache").mkdir()
    (model / "alias.bin").symlink_to("f1.bin")
    signature = tmp_path / "model.sig"
    _sign(model, keypair, signature, ignore_paths=[model / "cache"], allow_symlinks=True)
    (model / "cache" / "scratch.tmp").write_bytes(b"not signed, but ignored by the signature")
    run = _verify(model, signature, keypair)  # no --allow-symlinks: the signature allows them
    assert run.code == 0, run.err

    blake = tmp_path / "blake.sig"
    _sign(model, keypair, blake, hash_type="blake2b", allow_symlinks=True)
    assert _verify(model, blake, keypair).code == 0
    flip_byte(model / "f2.bin")
    assert_one_line_failure(_verify(model, blake, keypair), 1, "modified: f2.bin")


def test_cli_sign_with_the_helper_matches_the_library(tmp_path: Path, keypair: pki.KeyPair) -> None:
    files = {f"d{i % 4}/f{i}": os.urandom(64 + i) for i in range(200)}
    model = make_model(tmp_path / "model", files)
    (model / "large.bin").write_bytes(os.urandom(3 << 20))
    by_library, by_cli = tmp_path / "lib.sig", tmp_path / "cli.sig"
    _sign(model, keypair, by_library)
    run = run_subprocess(
        "sign", model, "--signature", by_cli, "--private-key", keypair.private_path
    )
    assert run.code == 0, run.err
    from support.models import bundle_payload

    assert bundle_payload(by_cli) == bundle_payload(by_library)


def test_cli_refuses_a_fifo_in_the_model_without_waiting(
    tmp_path: Path, keypair: pki.KeyPair
) -> None:
    """The helper meets the FIFO first: it stops, the parent lists the model itself and
    reports it; nobody opens the FIFO for reading (that would wait for a writer)."""
    model = make_model(tmp_path / "model", {f"f{i}.bin": b"x" * i for i in range(50)})
    signature = tmp_path / "model.sig"
    _sign(model, keypair, signature)
    os.mkfifo(model / "pipe")
    run = _verify(model, signature, keypair)
    assert_one_line_failure(run, [1, 2], "pipe", "not a regular file")


def test_cli_verifies_a_hub_cache_snapshot_with_the_helper(
    tmp_path: Path, keypair: pki.KeyPair
) -> None:
    """A snapshot's files are links into the repository's blobs/: the helper follows them as
    the tree walk does (with or without --allow-symlinks), and a tampered blob is named."""
    from sources.hub import add_revision

    files = {f"shard-{i}.bin": bytes([i]) * (200 + i) for i in range(30)}
    files["config.json"] = b'{"layers": 2}'
    snapshot = add_revision(tmp_path / "hub", "org/tiny", files)
    signature = tmp_path / "tiny.sig"
    _sign(snapshot, keypair, signature)
    assert _verify(snapshot, signature, keypair).code == 0
    blob = (snapshot / "shard-3.bin").resolve()
    blob.chmod(0o644)
    flip_byte(blob)
    assert_one_line_failure(_verify(snapshot, signature, keypair), 1, "modified: shard-3.bin")


def test_identities_share_equal_numbers(tmp_path: Path) -> None:
    # 100,000 listed files keep 100,000 identities: one device number object for all,
    # and the mtime object again where ctime equals it (what keeps the 100,000-file verify
    # under its memory budget); the values are the stat's own
    model = make_model(tmp_path / "m", {f"f{i}": b"x" for i in range(3)})
    os.utime(model / "f1", ns=(1, 1))  # mtime now differs from ctime
    files = enumerate_model(model, allow_symlinks=False, ignore=IgnoreSet(model))
    first, second, third = (f.identity for f in files)
    for f in files:
        st = os.stat(f.path)
        assert f.identity == (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    assert first[0] is second[0] is third[0]
    if first[3] == first[4]:
        assert first[3] is first[4]
    assert second[3] == 1 and second[4] != 1
