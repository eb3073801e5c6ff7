"""Hub-cache benchmark: verifying a second revision that shares blobs with the first.

    python benchmarks/hub_revisions.py [--shards 4] [--shard-mib 100] [--runs 3] [--workdir DIR]

Writes a Hugging Face hub cache (the layout huggingface_hub writes: sha256-named blobs,
snapshots of relative links, refs) holding two revisions of one model: --shards safetensors
shards of --shard-mib MiB each, all but the last the same blobs in both revisions. Both
revisions are signed with a fresh key. Then, per run, with a new digest cache:
1. revision 1 verified (every byte hashed),
2. revision 2 verified right after (only the changed shard should be hashed),
3. revision 2 verified without the cache.
Measured around `aibom.oms.verify.verify_model` (what `aibom verify hf:...` runs, minus the
interpreter start-up), page cache warm; the table shows the median and the MiB hashed.
The work directory defaults to $TMPDIR/aibom-bench-hub and is removed unless given.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchlib import MiB, read_all_files, write_ec_keypair


def add_revision(cache: Path, files: dict[str, Path], ref: str) -> Path:
    """One revision of org/big from files on disk: blobs by SHA-256, links, refs/<ref>."""
    repo = cache / "models--org--big"
    names = {}
    for name, source in sorted(files.items()):
        digest = hashlib.sha256()
        with open(source, "rb") as handle:
            for chunk in iter(lambda: handle.read(16 * MiB), b""):
                digest.update(chunk)
        blob = repo / "blobs" / digest.hexdigest()
        blob.parent.mkdir(parents=True, exist_ok=True)
        if not blob.exists():
            shutil.copyfile(source, blob)
        names[name] = blob
    commit = hashlib.sha1("".join(f"{n}{b.name}" for n, b in names.items()).encode()).hexdigest()
    for name, blob in names.items():
        link = repo / "snapshots" / commit / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / ref).write_text(commit)
    return repo / "snapshots" / commit


def random_file(path: Path, size: int) -> Path:
    with open(path, "wb") as out:
        for start in range(0, size, 16 * MiB):
            out.write(os.urandom(min(16 * MiB, size - start)))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--shard-mib", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.gettempdir()) / "aibom-bench-hub"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        run(work, args.shards, args.shard_mib * MiB, args.runs)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def run(work: Path, shards: int, size: int, runs: int) -> None:
    os.environ["HF_HUB_CACHE"] = str(work / "hub")
    from aibom.oms import hashing
    from aibom.oms.cache import DigestCache
    from aibom.oms.sign import KeySigner, sign_model
    from aibom.oms.verify import KeyTrust, verify_model

    raw = work / "raw"
    raw.mkdir()
    shared = {f"model-{i:05d}.safetensors": random_file(raw / f"s{i}", size)
              for i in range(1, shards)}
    last = f"model-{shards:05d}.safetensors"
    v1 = add_revision(work / "hub", {**shared, last: random_file(raw / "a", size)}, "v1")
    v2 = add_revision(work / "hub", {**shared, last: random_file(raw / "b", size)}, "v2")
    shutil.rmtree(raw)
    private, public = write_ec_keypair(work)
    for rev in ("v1", "v2"):
        sign_model(Path(f"hf:org/big@{rev}"), work / f"{rev}.sig", KeySigner(private.read_bytes()))
    read_all_files(v1)
    read_all_files(v2)
    trust = KeyTrust(public.read_bytes())
    hashed: list[int] = []
    real = hashing._hash_job

    def counting(job, factory):  # type: ignore[no-untyped-def]
        hashed.append(job.end - job.start)
        return real(job, factory)

    hashing._hash_job = counting  # type: ignore[assignment]

    def once(rev: str, cache: DigestCache | None) -> tuple[float, int]:
        hashed.clear()
        start = time.perf_counter()
        result = verify_model(Path(f"hf:org/big@{rev}"), work / f"{rev}.sig", trust, cache=cache)
        elapsed = time.perf_counter() - start
        if not result.ok:
            sys.exit(f"benchmark: {rev} did not verify: {result.reason()}")
        return elapsed, sum(hashed) // MiB

    rows: dict[str, list[tuple[float, int]]] = {"revision 1, empty digest cache": [],
                                                "revision 2 right after revision 1": [],
                                                "revision 2 without the cache": []}
    for n in range(runs):
        cache = DigestCache(work / f"cache{n}" / "digests.sqlite")
        rows["revision 1, empty digest cache"].append(once("v1", cache))
        rows["revision 2 right after revision 1"].append(once("v2", cache))
        rows["revision 2 without the cache"].append(once("v2", None))
        cache.close()
    print(f"{shards} shards x {size // MiB} MiB, {shards - 1} shared; median of {runs} runs")
    print("| run | MiB hashed | seconds |")
    print("|---|---|---|")
    for label, values in rows.items():
        seconds = statistics.median(v[0] for v in values)
        print(f"| {label} | {values[0][1]} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
