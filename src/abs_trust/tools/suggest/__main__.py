"""``python -m abs_trust.tools.suggest FILE``: the same as ``abs-trust suggest-crosswalk``."""

import sys

from abs_trust.tools.suggest.command import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
