# SPDX-License-Identifier: MIT
"""Command line: ``python -m openmmtsf <command> --help``."""
from .cli import main

main()
