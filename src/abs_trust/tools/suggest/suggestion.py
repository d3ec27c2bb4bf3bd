"""The suggestion assembled: one wave entry from the file's dictionary, against a crosswalk."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from abs_trust.config import read_yaml
from abs_trust.tools.suggest.demographics import (
    _suggest_age,
    _suggest_education,
    _suggest_female,
    _suggest_income,
    _suggest_urban,
)
from abs_trust.tools.suggest.design import (
    _suggest_country,
    _suggest_id,
    _suggest_weight,
    _suggest_year,
)
from abs_trust.tools.suggest.dictionary import _Flags, read_dictionary
from abs_trust.tools.suggest.trust import _suggest_trust

# The crosswalk shipped with the package (a link to config/crosswalk.yaml in a checkout, a
# copy in an installed wheel): the fallback when no config/crosswalk.yaml is in the cwd.
DEFAULT_CROSSWALK = files("abs_trust") / "defaults" / "crosswalk.yaml"


def _load_crosswalk(crosswalk: str | Path | Mapping | None) -> tuple[dict, str]:
    if isinstance(crosswalk, Mapping):
        return dict(crosswalk), "(given mapping)"
    if crosswalk is None:
        local = Path("config/crosswalk.yaml")
        if local.is_file():
            crosswalk = local
        elif DEFAULT_CROSSWALK.is_file():
            with as_file(DEFAULT_CROSSWALK) as shipped:
                raw = read_yaml(shipped)
            return (raw if isinstance(raw, dict) else {}), "the crosswalk shipped with abs-trust"
        else:
            return {}, ""
    raw = read_yaml(crosswalk)
    return (raw if isinstance(raw, dict) else {}), str(crosswalk)


def suggest_crosswalk(
    path: str | Path,
    wave_id: str = "WNEW",
    encoding: str | None = None,
    crosswalk: str | Path | Mapping | None = None,
) -> dict:
    """Propose the crosswalk entry for one release file from its dictionary alone.

    Parameters
    ----------
    path
        the release file (.sav, .zsav or .dta); only its metadata is read.
    wave_id
        the key for the new entry under ``waves:`` (``W`` followed by letters or digits).
    encoding
        passed to pyreadstat as ``encoding`` (W1 releases are big5); None lets it detect.
    crosswalk
        the crosswalk whose scales (and country list) the file is compared with: a path or an
        already parsed mapping; None means ``config/crosswalk.yaml``.

    Returns
    -------
    dict
        ``entry`` (the wave entry, in the crosswalk's format), ``scales`` (new scales to add
        under ``scales:``; empty when an existing scale fits), ``flags`` (uncertainty notes,
        each ``"<key path>: <text>"``) and ``source`` (file, variables, rows, encoding).
    """
    if not re.fullmatch(r"W[0-9A-Za-z_]+", wave_id):
        raise ValueError(f"wave id {wave_id!r} must look like W7 (W, then letters or digits)")
    raw, crosswalk_source = _load_crosswalk(crosswalk)
    variables, info = read_dictionary(path, encoding)
    flags = _Flags()
    existing_scales = raw.get("scales") or {}
    countries = {}
    for code, slug in (raw.get("countries") or {}).items():
        try:
            countries[int(code)] = slug
        except (TypeError, ValueError):
            continue
    if not raw:
        flags.add("file", "no crosswalk given or found: every scale is proposed as new")
    if wave_id in (raw.get("waves") or {}):
        flags.add("file", f"{crosswalk_source} already has an entry for {wave_id}; compare first")

    trust, scales = _suggest_trust(variables, existing_scales, wave_id, flags)
    entry: dict[str, Any] = {
        "description": f"suggested for {wave_id} from {Path(path).name} by abs-trust "
        "suggest-crosswalk (review before use)",
        "country": _suggest_country(variables, countries, flags),
        "respondent_id": _suggest_id(variables, flags),
        "year": _suggest_year(variables, flags),
        "weight": _suggest_weight(variables, flags),
        "trust": trust,
    }
    demographics = {
        "age": _suggest_age(variables, flags),
        "female": _suggest_female(variables, flags),
        "education": _suggest_education(variables, flags),
        "income": _suggest_income(variables, flags),
        "urban": _suggest_urban(variables, flags),
    }
    entry["demographics"] = {k: v for k, v in demographics.items() if v is not None}
    return {
        "entry": entry,
        "scales": scales,
        "flags": list(flags.items),
        "source": {**info, "wave": wave_id, "crosswalk": crosswalk_source},
    }
