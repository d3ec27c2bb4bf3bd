"""``abs-trust suggest-crosswalk``: arguments, and the suggestion printed as YAML."""

from __future__ import annotations

import argparse
import sys

from abs_trust.errors import AbsTrustError
from abs_trust.tools.suggest.render import render_yaml
from abs_trust.tools.suggest.suggestion import suggest_crosswalk


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Arguments of ``abs-trust suggest-crosswalk`` (for an argparse subparser)."""
    parser.add_argument(
        "file", help="release file (.sav, .zsav, .dta); only its dictionary is read"
    )
    parser.add_argument("--wave", default="WNEW", help="key of the new entry, e.g. W7")
    parser.add_argument(
        "--encoding", default=None, help="text encoding for pyreadstat (W1 releases: big5)"
    )
    parser.add_argument(
        "--crosswalk",
        default=None,
        help="crosswalk whose scales are reused when they fit (default: config/crosswalk.yaml)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Print the suggestion as YAML on stdout; 0 on success, 2 if the file cannot be read."""
    try:
        suggestion = suggest_crosswalk(
            args.file, wave_id=args.wave, encoding=args.encoding, crosswalk=args.crosswalk
        )
    except (AbsTrustError, ValueError) as exc:
        print(f"abs-trust suggest-crosswalk: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render_yaml(suggestion))
    print(
        f"abs-trust suggest-crosswalk: {len(suggestion['flags'])} uncertain point(s) flagged",
        file=sys.stderr,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="abs-trust suggest-crosswalk",
        description="Propose a crosswalk entry for a release file from its dictionary alone.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
