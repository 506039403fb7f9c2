"""The `arraydict` command: `python -m arraydict ...`, and the `arraydict` console script that
`pip install` puts next to the interpreter. It is the command the Rust binary is (the same code,
compiled into the package's extension), so `arraydict --help` lists the subcommands.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with argv (default: sys.argv[1:]) and return its exit code.

    The console script and `python -m arraydict` exit with it. The command installs its signal
    handling for the process (Ctrl-C ends it with 130 after removing the temporaries of its
    writes): call it from a process of its own, not from a long-lived interpreter.
    """
    from ._native import main as run

    args = sys.argv[1:] if argv is None else list(argv)
    # The program name in usage and --help is the command's, whatever started it
    # (`python -m arraydict` has __main__.py in sys.argv[0]).
    return run(["arraydict", *args])


if __name__ == "__main__":
    sys.exit(main())
