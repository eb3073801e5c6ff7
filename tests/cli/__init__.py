"""Tests of aibom.cli: option parsing, progress lines, exit codes."""
