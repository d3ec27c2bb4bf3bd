"""The crosswalk: which release variable carries each harmonized concept, wave by wave.

``config/crosswalk.yaml`` is data; this module turns it into typed, checked objects. The
checks of a release file's value labels against it are `abs_trust.harmonize.label_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from abs_trust.config import read_yaml, validate
from abs_trust.errors import ConfigError

DEMOGRAPHICS = ("age", "female", "education", "income", "urban")

#: Words for every institution slug of the harmonized frame and the trust table.
INSTITUTION_LABELS: dict[str, str] = {
    "executive": "Executive",
    "courts": "Courts",
    "national_government": "National government",
    "political_parties": "Political parties",
    "parliament": "Parliament",
    "civil_service": "Civil service",
    "military": "Military",
    "police": "Police",
    "local_government": "Local government",
    "newspapers": "Newspapers",
    "television": "Television",
    "election_commission": "Election commission",
    "ngos": "NGOs",
}
#: The harmonized institutions, in the questionnaire's order (the trust_<slug> columns).
INSTITUTIONS = tuple(INSTITUTION_LABELS)


@dataclass(frozen=True)
class Scale:
    """A trust response scale: raw codes, their expected labels, and the recode to 1..K."""

    name: str
    labels: Mapping[int, str]
    recode: Mapping[int, int]
    trusting: tuple[int, ...]
    level_labels: tuple[str, ...]
    comparable: str = ""

    @property
    def points(self) -> int:
        return len(self.recode)

    @property
    def trusting_levels(self) -> tuple[int, ...]:
        """Harmonized levels (higher = more trust) that count as trusting."""
        return tuple(sorted(self.recode[c] for c in self.trusting))


@dataclass(frozen=True)
class Concept:
    """One harmonized variable read from one release variable."""

    name: str
    variable: str
    recode: Mapping[int, float] | None = None
    valid: tuple[int, ...] | None = None
    valid_range: tuple[float, float] | None = None
    nonresponse: tuple[int, ...] = ()
    labels: Mapping[int, str] = field(default_factory=dict)

    def describe_valid(self) -> str:
        if self.recode is not None:
            return f"codes {sorted(self.recode)}"
        if self.valid is not None:
            return f"codes {list(self.valid)}"
        lo, hi = self.valid_range
        return f"values {lo:g}..{hi:g}"


@dataclass(frozen=True)
class WaveSpec:
    """Everything ingest needs to know about one wave's release layout."""

    wave: str
    country_variable: str
    country_nonresponse: tuple[int, ...]
    id_variable: str
    year_variable: str | None
    year_kind: str
    year_value: int | None
    year_nonresponse: tuple[int, ...]
    weight_variable: str | None
    scale: Scale
    trust_nonresponse: tuple[int, ...]
    items: Mapping[str, str]
    demographics: Mapping[str, Concept]
    # country slug -> rows that may repeat a respondent id there (a known quirk of the release)
    known_duplicate_ids: Mapping[str, int] = field(default_factory=dict)
    # design variables (optional; ABS releases name none): PSU and stratum of each respondent
    psu_variable: str | None = None
    strata_variable: str | None = None

    def trust_concept(self, institution: str) -> Concept:
        """The trust item as a `Concept`, so one recoding routine serves every variable."""
        return Concept(
            name=f"trust_{institution}",
            variable=self.items[institution],
            recode=dict(self.scale.recode),
            nonresponse=self.trust_nonresponse,
            labels=dict(self.scale.labels),
        )

    def variables(self) -> list[str]:
        """Release variables to read (and only these: ingest passes them as ``usecols``)."""
        names = [self.country_variable, self.id_variable]
        if self.year_variable:
            names.append(self.year_variable)
        if self.weight_variable:
            names.append(self.weight_variable)
        names += [v for v in (self.psu_variable, self.strata_variable) if v]
        names += list(self.items.values())
        names += [c.variable for c in self.demographics.values()]
        return list(dict.fromkeys(names))


@dataclass(frozen=True)
class Crosswalk:
    countries: Mapping[int, str]
    scales: Mapping[str, Scale]
    waves: Mapping[str, WaveSpec]
    source: str = ""
    # slug -> other texts a release's value labels use for the country ("East Timor")
    country_labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def wave(self, wave: str) -> WaveSpec:
        try:
            return self.waves[wave]
        except KeyError:
            known = ", ".join(sorted(self.waves))
            raise ConfigError(
                f"{self.source}: wave {wave!r} has no crosswalk entry (known waves: {known}); "
                "add one under `waves:` (see config/README.md)"
            ) from None

    def country_code(self, slug: str) -> int:
        for code, name in self.countries.items():
            if name == slug:
                return code
        raise ConfigError(
            f"{self.source}: country {slug!r} is not in the crosswalk's `countries:` "
            f"(known: {', '.join(sorted(self.countries.values()))})"
        )


def _int_keys(mapping: Mapping | None) -> dict:
    return {int(k): v for k, v in (mapping or {}).items()}


def _scale(name: str, raw: dict, source: str) -> Scale:
    labels, recode = _int_keys(raw["labels"]), _int_keys(raw["recode"])
    recode = {k: int(v) for k, v in recode.items()}
    trusting = tuple(int(c) for c in raw["trusting"])
    where = f"{source}: scales/{name}"
    if sorted(recode.values()) != list(range(1, len(recode) + 1)):
        raise ConfigError(f"{where}/recode: must map the codes onto 1..K once each, got {recode}")
    if set(labels) != set(recode):
        raise ConfigError(
            f"{where}: labels cover codes {sorted(labels)} but recode covers {sorted(recode)}"
        )
    if not set(trusting) <= set(recode):
        raise ConfigError(f"{where}/trusting: codes {sorted(set(trusting) - set(recode))} invalid")
    if len(raw["level_labels"]) != len(recode):
        raise ConfigError(f"{where}/level_labels: need {len(recode)} words, one per level")
    return Scale(
        name=name,
        labels=labels,
        recode=recode,
        trusting=trusting,
        level_labels=tuple(raw["level_labels"]),
        comparable=raw.get("comparable", ""),
    )


def _concept(name: str, raw: dict, source: str) -> Concept:
    valid, valid_range = raw.get("valid"), None
    if isinstance(valid, dict):
        valid_range, valid = (float(valid["min"]), float(valid["max"])), None
    elif valid is not None:
        valid = tuple(int(c) for c in valid)
    recode = _int_keys(raw.get("recode")) or None
    if recode is None and valid is None and valid_range is None:
        raise ConfigError(f"{source}: {name} needs `recode:` or `valid:`")
    nonresponse = tuple(int(c) for c in raw.get("nonresponse", []))
    codes = set(recode or valid or ())
    if codes & set(nonresponse):
        raise ConfigError(
            f"{source}: {name}: codes {sorted(codes & set(nonresponse))} are both valid and "
            "nonresponse"
        )
    return Concept(
        name=name,
        variable=raw["variable"],
        recode=recode,
        valid=valid,
        valid_range=valid_range,
        nonresponse=nonresponse,
        labels=_int_keys(raw.get("labels")),
    )


def _wave(wave: str, raw: dict, scales: Mapping[str, Scale], source: str) -> WaveSpec:
    where = f"{source}: waves/{wave}"
    trust = raw["trust"]
    if trust["scale"] not in scales:
        raise ConfigError(
            f"{where}/trust/scale: unknown scale {trust['scale']!r} (known: {sorted(scales)})"
        )
    scale = scales[trust["scale"]]
    nonresponse = tuple(int(c) for c in trust["nonresponse"])
    if set(nonresponse) & set(scale.recode):
        raise ConfigError(
            f"{where}/trust/nonresponse: {sorted(set(nonresponse) & set(scale.recode))} are "
            f"valid answers on scale {scale.name}"
        )
    year = raw["year"]
    weight = raw.get("weight") or {}
    return WaveSpec(
        wave=wave,
        country_variable=raw["country"]["variable"],
        country_nonresponse=tuple(raw["country"].get("nonresponse", [])),
        id_variable=raw["respondent_id"]["variable"],
        known_duplicate_ids=dict(raw["respondent_id"].get("known_duplicates", {})),
        year_variable=year.get("variable"),
        year_kind=year.get("kind", "number"),
        year_value=year.get("value"),
        year_nonresponse=tuple(year.get("nonresponse", [])),
        weight_variable=weight.get("variable"),
        psu_variable=(raw.get("psu") or {}).get("variable"),
        strata_variable=(raw.get("strata") or {}).get("variable"),
        scale=scale,
        trust_nonresponse=nonresponse,
        items=dict(trust["items"]),
        demographics={
            name: _concept(name, spec, f"{where}/demographics")
            for name, spec in raw["demographics"].items()
        },
    )


def parse_crosswalk(
    raw: dict, source: str = "crosswalk", *, schema_checked: bool = False
) -> Crosswalk:
    """Validate a crosswalk mapping (JSON Schema, then cross-field rules) and type it.

    ``schema_checked=True`` skips the JSON Schema, for a mapping already validated against it
    (a workflow job's wave entry, checked with the whole crosswalk when the workflow was
    parsed); the cross-field rules, which build the typed objects, always run.
    """
    if not schema_checked:
        raw = validate(raw, "crosswalk.schema.yaml", source, defaults=False)
    scales = {name: _scale(name, spec, source) for name, spec in raw["scales"].items()}
    waves = {wave: _wave(wave, spec, scales, source) for wave, spec in raw["waves"].items()}
    countries = {int(k): v for k, v in raw["countries"].items()}
    for wave, spec in waves.items():
        if unknown := sorted(set(spec.known_duplicate_ids) - set(countries.values())):
            raise ConfigError(
                f"{source}: waves/{wave}/respondent_id/known_duplicates: countries {unknown} "
                f"are not in `countries:` ({sorted(countries.values())})"
            )
    aliases = raw.get("country_labels") or {}
    if unknown := sorted(set(aliases) - set(countries.values())):
        raise ConfigError(
            f"{source}: country_labels: countries {unknown} are not in `countries:` "
            f"({sorted(countries.values())})"
        )
    return Crosswalk(
        countries=countries,
        scales=scales,
        waves=waves,
        source=str(source),
        country_labels={slug: tuple(texts) for slug, texts in aliases.items()},
    )


def load_crosswalk(path: str | Path) -> Crosswalk:
    """Read ``crosswalk.yaml`` and return a validated `Crosswalk`."""
    return parse_crosswalk(read_yaml(path), str(path))


def wave_entry(raw: dict, wave: str) -> dict:
    """The part of a raw crosswalk one wave needs: its entry, its scale, the country codes.

    The workflow hands this to the wave's ingest job as a parameter rather than the whole
    file as an input, so adding or editing one wave's entry reruns that wave's ingest only.
    """
    entry = raw["waves"][wave]
    scale = entry["trust"]["scale"]
    part = {
        "countries": raw["countries"],
        "scales": {scale: raw["scales"][scale]} if scale in raw.get("scales", {}) else {},
        "waves": {wave: entry},
    }
    if raw.get("country_labels"):
        part["country_labels"] = raw["country_labels"]
    return part
