"""A release file's value labels checked against the crosswalk, before any code is recoded.

A trust item whose labels run the other way than declared (a reversed scale) is the classic
silent error in ABS work — W1/W2 run 1 = none ... 4 = a great deal, W3 onwards the reverse —
so ingest refuses such a file; and a country code labelled as another country (code 4
labelled "Japan" where the crosswalk says mainland China) stops it too.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from abs_trust.errors import CrosswalkMismatchError
from abs_trust.harmonize.crosswalk import Concept, Crosswalk


def _label_for(value_labels: Mapping, code: int) -> str | None:
    # pyreadstat keys value labels by float for numeric variables (1.0), by int for Stata.
    for key, text in value_labels.items():
        try:
            if float(key) == code:
                return str(text)
        except (TypeError, ValueError):
            continue
    return None


def check_value_labels(
    concept: Concept,
    value_labels: Mapping | None,
    file: str,
    used_codes: Collection[float] | None = None,
) -> list[str]:
    """Check a release variable's value labels against the crosswalk's expectations.

    Each code listed under ``labels`` must carry a value label containing the expected text
    (case-insensitive). This is what catches a reversed trust scale: in a W1 file, code 1 is
    labelled "None at all", which does not contain "a great deal".

    A code the file leaves unlabelled is accepted, with a warning, when no respondent uses it
    (``used_codes``: the codes in the data; a W5 gender variable without the "Other" label
    that nobody chose): nothing is read under that code. A label that says something else
    is refused whether or not the code is used.

    Returns
    -------
    list of str
        warnings (unlabelled, unused codes), empty when every label was there and matched.

    Raises
    ------
    CrosswalkMismatchError
        naming the file, the variable, each code's actual and expected label.
    """
    if not concept.labels:
        return []
    if not value_labels:
        raise CrosswalkMismatchError(
            f"{file}: variable {concept.variable!r} ({concept.name}) has no value labels, so its "
            f"direction cannot be checked; expected {dict(concept.labels)}"
        )
    problems, unlabelled = [], []
    for code, expected in concept.labels.items():
        actual = _label_for(value_labels, code)
        if actual is None and used_codes is not None and code not in used_codes:
            unlabelled.append(f"{code} ({expected!r})")
        elif actual is None:
            problems.append(
                f"code {code} has no label but is used, expected text {expected!r}"
                if used_codes is not None
                else f"code {code} is labelled None, expected text {expected!r}"
            )
        elif expected.lower() not in actual.lower():
            problems.append(f"code {code} is labelled {actual!r}, expected text {expected!r}")
    if problems:
        raise CrosswalkMismatchError(
            f"{file}: variable {concept.variable!r} ({concept.name}): value labels contradict "
            "the crosswalk (reversed or relabelled scale?): " + "; ".join(problems)
        )
    if unlabelled:
        return [
            f"{file}: variable {concept.variable!r} ({concept.name}): code(s) "
            f"{', '.join(unlabelled)} have no value label in the file and no respondent uses "
            "them; accepted (nothing is read under them), but the file does not confirm them"
        ]
    return []


def _name_key(text: str) -> str:
    # "Mainland China" -> "mainlandchina", "HongKong" -> "hongkong", "hong_kong" -> "hongkong"
    return re.sub(r"[^0-9a-z]", "", text.lower())


def check_country_labels(
    crosswalk: Crosswalk,
    variable: str,
    value_labels: Mapping | None,
    file: str,
    used_codes: Collection[float] = (),
) -> list[str]:
    """Check the country variable's value labels against the crosswalk's ``countries:``.

    A code the crosswalk knows must be labelled with its country: the slug's words or one of
    ``country_labels:``, ignoring case, spaces and punctuation ("Mainland China" is china,
    "HongKong" hong_kong). A file whose code 4 is labelled "Japan" codes countries another
    way, and is refused rather than analysed as China.

    Returns
    -------
    list of str
        warnings: no value labels at all, or codes in use that have no label (their country
        cannot be confirmed from the file).

    Raises
    ------
    CrosswalkMismatchError
        naming the file, the variable, each code's label and the country expected.
    """
    if not value_labels:
        return [
            f"{file}: variable {variable!r} (country) has no value labels: the country codes "
            "could not be checked against the crosswalk"
        ]
    problems = []
    for code, slug in crosswalk.countries.items():
        actual = _label_for(value_labels, code)
        if actual is None:
            continue
        names = [slug.replace("_", " "), *crosswalk.country_labels.get(slug, ())]
        if not any(_name_key(name) in _name_key(actual) for name in names):
            problems.append(
                f"code {code} is labelled {actual!r}, expected {' or '.join(map(repr, names))}"
            )
    if problems:
        raise CrosswalkMismatchError(
            f"{file}: variable {variable!r} (country): value labels contradict the crosswalk's "
            "`countries:` (a file coding countries another way?): " + "; ".join(problems)
        )
    unlabelled = sorted(
        int(c)
        for c in set(used_codes)
        if c in crosswalk.countries and _label_for(value_labels, c) is None
    )
    if unlabelled:
        return [
            f"{file}: variable {variable!r} (country): code(s) "
            f"{', '.join(f'{c} ({crosswalk.countries[c]})' for c in unlabelled)} are used but "
            "have no value label; their country could not be confirmed from the file"
        ]
    return []
