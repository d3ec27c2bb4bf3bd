"""How outputs name things: institutions, countries, waves. One place, so every table, figure
and report page says the same words."""

from __future__ import annotations

import re

from abs_trust.harmonize.crosswalk import INSTITUTION_LABELS

__all__ = ["INSTITUTION_LABELS", "country_label", "institution_label", "wave_number"]

#: Countries whose plain name would mislead: the ABS samples mainland China only.
COUNTRY_LABELS = {"china": "mainland China"}


def country_label(slug: str) -> str:
    """'china' -> 'mainland China', 'hong_kong' -> 'Hong Kong' (from the run's country slug)."""
    return COUNTRY_LABELS.get(slug, str(slug).replace("_", " ").title())


def country_heading(slug: str) -> str:
    """A country's label at the start of a heading or a table row ('Mainland China')."""
    label = country_label(slug)
    return label[:1].upper() + label[1:]


def institution_label(slug: str) -> str:
    return INSTITUTION_LABELS.get(slug, str(slug).replace("_", " ").capitalize())


def wave_number(wave: str) -> int | None:
    """The ABS wave's number ('W3' -> 3), or None for an id without one ('Wpilot')."""
    match = re.fullmatch(r"W(\d+)", str(wave))
    return int(match.group(1)) if match else None
