"""The `published_gate` job: fail the run when a published number is not reproduced (unless
``strict`` is off); otherwise write the verdict."""

from __future__ import annotations

import json
from pathlib import Path

from abs_trust.errors import ReproductionError
from abs_trust.runner import write_text_atomic


def published_gate_job(input, output, params) -> str:
    """Write the verdict; raise `ReproductionError` on a failed check when strict."""
    results = json.loads(Path(input.json).read_text())
    failed = [r for r in results if r["ok"] is False]  # not-applicable checks are None
    if failed and params.strict:
        listing = "; ".join(
            f"{r['id']}: published {r['published']:g}, reproduced "
            f"{r['reproduced'] if r['reproduced'] is not None else 'nothing'}"
            + (f" ({r['note']})" if r.get("note") else "")
            for r in failed
        )
        raise ReproductionError(
            f"{len(failed)} published check(s) failed ({listing}); see {input.md}. "
            "Set `strict: false` in the config to keep the outputs of a run on other data."
        )
    verdict = "FAIL (strict: false)" if failed else "PASS"
    write_text_atomic(output[0], f"{verdict}\n")
    return f"verdict {verdict}: {len(failed)} failed of {len(results)} checks"
