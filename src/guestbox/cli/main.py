"""`guestbox`: the command-line entry point and its subcommands."""

from __future__ import annotations

import argparse
import json
import sys

from ..appliance import builder
from ..errors import Error
from .tools import TOOLS
from .tools.registry import render_docs


def _appliance(args: argparse.Namespace) -> int:
    if args.action == "build":
        a = builder.ensure(quiet=False)  # building takes a while: always say so
        if not args.quiet:
            print(builder.describe(a), end="")
    elif args.action == "info":
        found = builder.find()
        if found is None:
            print("appliance: not built yet (guestbox appliance build)")
            return 1
        print(json.dumps(found.info(), indent=1) if args.json else builder.describe(found), end="")
    elif args.action == "clean":
        for d in builder.clean():
            print(f"removed {d}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    from ..api.docs import render

    text = render_docs() if args.tools else render()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .demo import run

    return run()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="guestbox", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("appliance", help="build, describe or remove the cached appliance")
    a.add_argument("action", choices=["build", "info", "clean"])
    a.add_argument("--quiet", "-q", action="store_true")
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=_appliance)
    sub.add_parser("demo", help="make a small demo guest and show what is inside it"
                   ).set_defaults(func=_demo)
    d = sub.add_parser("docs", help="write the API reference generated from the operation table")
    d.add_argument("output", nargs="?", default="-", help="file to write (default: stdout)")
    d.add_argument("--tools", action="store_true",
                   help="the tools' reference (docs/tools.md) instead of the API's")
    d.set_defaults(func=_docs)
    sub.add_parser("shell", help="a guestfish-compatible shell (guestbox shell --help)",
                   add_help=False)
    for t in sorted(TOOLS.values(), key=lambda t: t.name):  # each parses its own arguments
        sub.add_parser(t.name, help=t.summary, add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["shell"]:  # its options are guestfish's, parsed by the shell itself
        from .shell.options import main as shell_main

        return shell_main(argv[1:])
    if argv[:1] and argv[0] in TOOLS:
        return TOOLS[argv[0]].main(argv[1:])
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except Error as e:
        print(f"guestbox: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
