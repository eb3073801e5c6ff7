"""Copyright notices read from a model directory: stated ones only, never templates."""

from __future__ import annotations

from pathlib import Path

from aibom.discovery.copyright import copyright_notice

APACHE_APPENDIX = "   Copyright [yyyy] [name of copyright owner]\n"
MIT_TEMPLATE = "Copyright (c) <year> <copyright holders>\n\nThe above copyright notice and...\n"


def test_notices_from_card_and_licence_files(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# m\n\n**Copyright © 2024 Acme Inc.**\n")
    (tmp_path / "LICENSE").write_text("MIT License\n\nCopyright (c) 2024 Acme Inc.\n"
                                      "Copyright 2020-2023 The Base Authors\n" + MIT_TEMPLATE)
    assert copyright_notice(tmp_path) == ("Copyright © 2024 Acme Inc.\n"
                                          "Copyright (c) 2024 Acme Inc.\n"
                                          "Copyright 2020-2023 The Base Authors")


def test_templates_and_prose_are_not_notices(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("We keep the copyright of our data.\n")
    (tmp_path / "LICENSE").write_text(APACHE_APPENDIX + MIT_TEMPLATE)
    assert copyright_notice(tmp_path) is None
    assert copyright_notice(tmp_path / "missing") is None


def test_a_licence_file_leading_outside_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("Copyright 2024 Someone Else\n")
    model = tmp_path / "model"
    model.mkdir()
    (model / "LICENSE").symlink_to(outside)
    assert copyright_notice(model) is None
