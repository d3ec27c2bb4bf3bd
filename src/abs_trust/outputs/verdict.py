"""The run's verdict on the published numbers, in the words every output uses (the landing
page, ``reproduction.md``, the gate's log and ``results/reproduction.verdict``).

Kept apart from the checks themselves so the gate job, which only reads them, loads neither
pandas nor numpy.
"""

from __future__ import annotations

from abs_trust.outputs.labels import country_label

NOT_APPLICABLE = "NOT APPLICABLE"


def verdict(results: list[dict] | None, strict: bool = True) -> str:
    """The run's verdict in the words every output uses: ``PASS: n of n ...``,
    ``FAIL: k of n ...`` or ``NOT APPLICABLE: <reason>``.

    ``results`` is None when no published numbers are configured. Checks that do not apply
    to the run's data (``ok`` None) are counted apart; only the applicable ones decide.
    """
    if results is None:
        return "NOT APPLICABLE: no published numbers are configured (`published:` is empty)"
    decided = [r for r in results if r["ok"] is not None]
    if not decided:
        if not results:
            return "NOT APPLICABLE: the published file lists no checks"
        country = country_label(results[0]["country"])
        where = sorted({r["source"] for r in results})
        waves = sorted({w for r in results for w in r["waves"]})
        scope = f"the {len(results)} published checks ({', '.join(where)}) concern {country}"
        if any(r["note"].endswith(f"{country} not in this run") for r in results):
            return f"NOT APPLICABLE: {scope}, which is not in this run's data"
        return f"NOT APPLICABLE: {scope} in {', '.join(waves)}, which this run does not cover"
    failed = failures(results)
    skipped = len(results) - len(decided)
    aside = f"; {skipped} not applicable to this run's data" if skipped else ""
    if not failed:
        return f"PASS: {len(decided)} of {len(decided)} published checks reproduced{aside}"
    return (
        f"FAIL: {len(failed)} of {len(decided)} published checks not reproduced{aside} "
        f"({'; '.join(r.get('description', r['id']) for r in failed)})"
        + ("" if strict else " [strict: false, so the run goes on]")
    )


def failures(results: list[dict]) -> list[dict]:
    """The checks that failed (``ok`` False; not-applicable checks are None)."""
    return [r for r in results if r["ok"] is False]
