"""The `published_gate` job: fail the run when a published number is not reproduced (unless
``strict`` is off); otherwise write the verdict to ``results/reproduction.verdict``.

The verdict is the line every output states (`abs_trust.outputs.verdict.verdict`):
``PASS: n of n ...``, ``FAIL: k of n ...`` (written only with ``strict: false``; with
``strict: true`` the job fails and writes nothing) or ``NOT APPLICABLE: <reason>`` (no
published check concerns the run's waves and country).
"""

from __future__ import annotations

import json
from pathlib import Path

from abs_trust.errors import ReproductionError
from abs_trust.outputs.verdict import failures, verdict
from abs_trust.runner import write_text_atomic


def published_gate_job(input, output, params) -> str:
    """Write the verdict; raise `ReproductionError` on a failed check when strict."""
    results = json.loads(Path(input.json).read_text())
    line = verdict(results, strict=params.strict)
    if failures(results) and params.strict:
        listing = "; ".join(
            f"{r.get('description', r['id'])}: published {r.get('published_as_printed')}, "
            f"reproduced {r['reproduced'] if r['reproduced'] is not None else 'nothing'}"
            + (f" ({r['note']})" if r.get("note") else "")
            for r in failures(results)
        )
        raise ReproductionError(
            f"{line} ({listing}); see {input.md}. "
            "Set `strict: false` in the config to keep the outputs of a run on other data."
        )
    write_text_atomic(output[0], f"{line}\n")
    return line
