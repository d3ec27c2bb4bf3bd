"""Suggest the crosswalk entry for a new ABS release file from its dictionary alone.

``abs-trust suggest-crosswalk FILE`` reads the file's metadata (variable names, variable
labels, value labels, formats, declared missing values: pyreadstat ``metadataonly=True``, no
respondent data) and proposes the YAML block to paste under ``waves:`` in
``config/crosswalk.yaml``, plus a new response scale under ``scales:`` when no existing one
fits.

It is a drafting aid, not an oracle. Trust items are recognised by their value labels (a
scale running from "a great deal"/"trust fully" to "none at all"/"distrust fully") and mapped
to an institution only when the variable label reads as that institution's standard wording;
two candidates for one institution, a label that names no known institution, scales that
differ between items, codes that are neither answers nor nonresponse: all are reported as
flags (``# UNCERTAIN:`` comments in the YAML) and never guessed. The crosswalk's own checks
(value labels at ingest) remain the safety net for whatever is accepted from here.

Modules
-------
``labels``        institution wording and value-label vocabulary: what a label is taken to mean;
``dictionary``    the file's dictionary read (metadata only), and the flags kept about it;
``trust``         the trust battery: items, institutions, and the response scale they share;
``design``        country, respondent id, interview year and weight;
``demographics``  the partial-correlation controls: age, gender, education, income, urban;
``suggestion``    ``suggest_crosswalk``: the entry assembled against the crosswalk in use;
``render``        ``render_yaml``: the entry as YAML with ``# UNCERTAIN:`` comments;
``command``       the ``abs-trust suggest-crosswalk`` command line.
"""

from __future__ import annotations

from abs_trust.tools.suggest.command import add_arguments, main, run
from abs_trust.tools.suggest.demographics import AGE_RANGE
from abs_trust.tools.suggest.design import WEIGHT_NAMES
from abs_trust.tools.suggest.dictionary import PLACEHOLDER, Variable, read_dictionary
from abs_trust.tools.suggest.labels import (
    DATE_FORMAT,
    INSTITUTION_MENTIONS,
    INSTITUTION_PATTERNS,
    INSTITUTIONS,
    NONRESPONSE,
    TRUST_BOTTOM,
    TRUST_TOP,
    match_institution,
)
from abs_trust.tools.suggest.render import render_yaml
from abs_trust.tools.suggest.suggestion import DEFAULT_CROSSWALK, suggest_crosswalk
from abs_trust.tools.suggest.trust import TrustItem

__all__ = [
    "AGE_RANGE",
    "DATE_FORMAT",
    "DEFAULT_CROSSWALK",
    "INSTITUTIONS",
    "INSTITUTION_MENTIONS",
    "INSTITUTION_PATTERNS",
    "NONRESPONSE",
    "PLACEHOLDER",
    "TRUST_BOTTOM",
    "TRUST_TOP",
    "WEIGHT_NAMES",
    "TrustItem",
    "Variable",
    "add_arguments",
    "main",
    "match_institution",
    "read_dictionary",
    "render_yaml",
    "run",
    "suggest_crosswalk",
]
