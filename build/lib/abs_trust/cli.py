"""``abs-trust`` command line: the few things an analyst does outside the workflow."""

from __future__ import annotations

import argparse
import sys

from abs_trust.tools import suggest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="abs-trust", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    fixture = sub.add_parser(
        "make-fixture", help="write the synthetic ABS-format fixture (W3, W4 mainland China)"
    )
    fixture.add_argument("--out", default="data/fixture", help="output directory")
    suggest_parser = sub.add_parser(
        "suggest-crosswalk",
        help="propose a crosswalk entry from a release file's dictionary (no respondent data)",
    )
    suggest.add_arguments(suggest_parser)
    args = parser.parse_args(argv)
    if args.command == "suggest-crosswalk":
        return suggest.run(args)
    if args.command == "make-fixture":
        # Imported here: the generator must stay independent of the analysis modules.
        from abs_trust.tools import fixture as fixture_module

        return fixture_module.main(["--out", args.out])
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
