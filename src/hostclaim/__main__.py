"""``python -m hostclaim`` and the ``hostclaim`` script.

Help texts are translated when the command modules are imported, so ``--lang`` is read from the
command line before they are.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    argv = sys.argv[1:]
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            os.environ["HOSTCLAIM_LANG"] = argv[index + 1]
        elif arg.startswith("--lang="):
            os.environ["HOSTCLAIM_LANG"] = arg.split("=", 1)[1]
    from hostclaim.cli.root import GROUPS, TOP_LEVEL, command_word, register

    word = command_word(argv)
    # Only the group asked for is loaded; an unknown word or a bare --help loads them all so
    # the listing and the "no such command" message stay complete.
    known = word in GROUPS or word in TOP_LEVEL
    app = register({word} if known and word is not None else None)
    app(prog_name="hostclaim")


if __name__ == "__main__":
    main()
