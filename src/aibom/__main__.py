"""`python -m aibom`: the aibom command line."""

from aibom.cli import main

main()
