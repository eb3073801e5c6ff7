"""aibom._internal: strict JSON, bounded YAML, non-blocking reads, atomic writes, formats."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from aibom._internal import jsonio, schema, yamlio
from aibom._internal.atomic import is_partial_name, write_atomic
from aibom._internal.files import open_regular, read_capped
from aibom._internal.text import human_size, one_line
from aibom.errors import InputError, OutputError

# --- strict JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('{"a": NaN}', "NaN is not JSON"),
        ('{"a": Infinity}', "Infinity is not JSON"),
        ('{"a": -Infinity}', "-Infinity is not JSON"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ('{"a": "\\ud800"}', "lone UTF-16 surrogate"),
        ("[" * 100 + "]" * 100, "nested too deeply (more than 64 levels)"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("{", "not valid JSON"),
        (b"\xff{}", "not UTF-8"),
    ],
)
def test_strict_json_refuses(text: str | bytes, needle: str) -> None:
    with pytest.raises(InputError, match=re.escape(needle)) as exc:
        jsonio.load_json(text, "doc.json")
    assert str(exc.value).startswith("doc.json")
    assert "\n" not in str(exc.value)


def test_strict_json_accepts_ordinary_documents() -> None:
    assert jsonio.load_json(b'\xef\xbb\xbf{"a": [1, 2.5, "\\u00e9", null]}', "x") == {
        "a": [1, 2.5, "é", None]
    }
    assert jsonio.load_json("[" * 64 + "]" * 64, "x") is not None  # exactly the limit


# --- YAML ----------------------------------------------------------------------------------


def test_yaml_depth_is_refused_in_aibom_words_whatever_the_parser() -> None:
    """libyaml from PyYAML 6.0.4 has a nesting limit of its own, reached (by look-ahead)
    before the event walk: aibom's own check comes first, so the words are aibom's."""
    for depth in (65, 2000):
        data, warnings = yamlio.load_yaml("x: " + "[" * depth + "]" * depth, "card", "front matter")
        assert data is None
        assert warnings == ["card: front matter refused: nested deeper than 64 levels"]
    data, warnings = yamlio.load_yaml("x: " + "[" * 63 + "]" * 63, "card")  # 64 with the map
    assert warnings == [] and data is not None


def test_yaml_12_booleans_and_no_python_tags() -> None:
    assert yamlio.load_yaml("a: no\nb: true\n", "p") == ({"a": "no", "b": True}, [])
    data, warnings = yamlio.load_yaml("a: !!python/name:os.system\n", "p")
    assert data is None and warnings[0].startswith("p: not valid YAML:")


# --- reads that never block ----------------------------------------------------------------


def test_a_fifo_is_refused_not_waited_for(tmp_path: Path) -> None:
    """Nobody writes to the FIFO: a blocking open would hang this test forever."""
    fifo = tmp_path / "sig"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match=r"cannot read signature .*sig: it is a FIFO"):
        read_capped(fifo, 100, "signature")
    with pytest.raises(OSError, match="a FIFO"), open_regular(fifo):
        pass


@pytest.mark.parametrize(("path", "kind"), [("/dev/zero", "a device"), ("/", "a directory")])
def test_devices_and_directories_are_refused(path: str, kind: str) -> None:
    with pytest.raises(InputError, match=f"it is {kind}, not a regular file"):
        read_capped(Path(path), 100)


def test_read_capped_reads_at_most_the_cap(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"x" * 10)
    assert read_capped(f, 10) == b"x" * 10
    with pytest.raises(InputError, match="larger than 9 bytes"):
        read_capped(f, 9)
    with pytest.raises(InputError, match="No such file"):
        read_capped(tmp_path / "missing", 9)


# --- atomic writes -------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_follow_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "out.json", b"{}\n")
        write_atomic(tmp_path / "out.json", b"[]\n")  # replacing, too
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == mode
    assert (tmp_path / "out.json").read_bytes() == b"[]\n"
    assert os.listdir(tmp_path) == ["out.json"]


def test_a_fifo_at_the_output_path_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="it is a FIFO, not a regular file"):
        write_atomic(fifo, b"{}")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert os.listdir(tmp_path) == ["out.json"]


def test_a_missing_directory_is_one_line_without_temporary_names(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as exc:
        write_atomic(tmp_path / "nope" / "out.json", b"{}")
    assert str(exc.value) == (
        f"cannot write {tmp_path}/nope/out.json: the directory {tmp_path}/nope does not exist"
    )
    assert os.listdir(tmp_path) == []


def test_a_read_only_directory_is_a_plain_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories; tests/faults uses a read-only mount")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="permission denied"):
            write_atomic(tmp_path / "out.json", b"{}")
    finally:
        tmp_path.chmod(0o700)


def test_partial_names_are_recognisable() -> None:
    assert is_partial_name(".model.sig.123-0123456789abcdef.aibom-partial")
    assert not is_partial_name("model.sig")
    assert not is_partial_name(".model.sig.abc.aibom-partial")


# --- schema formats ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2024-01-02T03:04:05Z", True),
        ("2024-01-02t03:04:05.123+05:30", True),
        ("2016-12-31T23:59:60Z", True),  # a leap second
        ("yesterday", False),
        ("2024-01-02", False),
        ("2024-02-30T00:00:00Z", False),
        ("2024-01-02T24:00:00Z", False),
        ("2024-01-02T03:04:05", False),  # no offset
        ("2024-01-02T03:04:05+24:00", False),
        ("\uff12\uff10\uff12\uff14-01-02T03:04:05Z", False),  # non-ASCII digits
    ],
)
def test_date_time_is_checked_without_optional_packages(value: str, ok: bool) -> None:
    assert schema.is_date_time(value) is ok
    assert schema.format_checker().conforms(value, "date-time") is ok


def _formats_in(node: object) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("format"), str) and item.get("type") == "string":
                found.add(item["format"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_every_format_the_schemas_use_is_really_checked() -> None:
    """A format jsonschema does not know, or checks only with an optional package, would
    silently pass: each one used by a schema aibom validates with has a checker here."""
    import cyclonedx

    library = Path(cyclonedx.__file__).parent / "schema" / "_res"
    files = [*schema_path_root().rglob("*.json")]
    for pattern in ("bom-1.6*.json", "bom-1.7*.json", "jsf-*.json", "cryptography-defs*.json"):
        files += library.glob(pattern)  # what the 1.6 and 1.7 schemas use
    used: set[str] = set()
    for file in files:
        used |= _formats_in(json.loads(file.read_text()))
    checker = schema.format_checker()
    assert used <= set(checker.checkers), used - set(checker.checkers)
    assert {"date-time", "iri-reference", "date", "idn-email"} <= used


def schema_path_root() -> Path:
    from aibom.oms.schema import SCHEMA_DIR

    return SCHEMA_DIR


# --- text ----------------------------------------------------------------------------------


def test_one_line_and_sizes() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert one_line("x" * 10, 5) == "xxxx…"
    assert (human_size(2 << 20), human_size(3072), human_size(5)) == ("2 MiB", "3 KiB", "5 bytes")
