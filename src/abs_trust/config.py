"""Load YAML settings and validate them against the workflow's JSON Schemas.

The schemas live in ``workflow/schemas``, where the workflow validates ``config`` with
`snakemake.utils.validate`; the package reaches the same files as package data
(``abs_trust/schemas``, found with `importlib.resources`, so an installed wheel has them too).
One definition of what a valid config, crosswalk or published file is, whoever reads it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from abs_trust.errors import ConfigError

SCHEMAS = files("abs_trust") / "schemas"


# libyaml's loader when PyYAML was built with it: the crosswalk parses ~10x faster, and the
# workflow parses it on every invocation (a dry run included).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKeyError(yaml.YAMLError):
    """A mapping names the same key twice (plain YAML keeps the last one, silently)."""


class StrictLoader(SAFE_LOADER):
    """The safe loader, refusing a key that a mapping repeats.

    ``strict: true`` followed further down by ``strict: false`` is valid YAML that keeps the
    last value: a config could turn a failing gate into a pass without anyone noticing. The
    parser stays libyaml's; only the (Python) construction of mappings is checked.
    """

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *anchor` merges; its keys may be overridden on purpose
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:
                    continue  # an unhashable key: SafeConstructor reports it
                if first != key_node.start_mark.line + 1:
                    raise DuplicateKeyError(
                        f"duplicate key {key!r} (line {first} and line "
                        f"{key_node.start_mark.line + 1})"
                    )
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file, turning a missing file, a syntax error or a key given twice into a
    `ConfigError` naming the file."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=StrictLoader)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{path}: is a directory, not a YAML file") from exc
    except DuplicateKeyError as exc:
        raise ConfigError(
            f"{path}: {exc}; YAML would keep only the last value silently, so this is refused: "
            "delete one of them"
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


def _with_string_keys(obj: Any) -> Any:
    # YAML reads `4: china` with an int key; JSON Schema only knows string property names.
    return json.loads(json.dumps(obj))


@cache
def _validator_class(defaults: bool):
    # jsonschema is imported here, not at the top: it is a tenth of a second of imports
    # (jsonschema.protocols alone ~70 ms), and the workflow's jobs, which import this module,
    # get config and crosswalk entries that were validated when the workflow was parsed.
    import jsonschema

    plain = jsonschema.Draft202012Validator
    return _fill_defaults(plain, jsonschema.validators.extend) if defaults else plain


def _fill_defaults(validator_class, extend):
    # The documented jsonschema recipe: a validator that also writes `default:` values in.
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema:
                    instance.setdefault(name, json.loads(json.dumps(subschema["default"])))
        yield from validate_properties(validator, properties, instance, schema)

    return extend(validator_class, {"properties": set_defaults})


def validate(obj: Any, schema_name: str, source: str | Path, *, defaults: bool = True) -> Any:
    """Validate ``obj`` against the schema ``schema_name`` and return it (string keys).

    Raises
    ------
    ConfigError
        naming the file, the key path and what the schema expected, for every violation.
    """
    schema = yaml.load(SCHEMAS.joinpath(schema_name).read_text(encoding="utf-8"), SAFE_LOADER)
    obj = _with_string_keys(obj if obj is not None else {})
    cls = _validator_class(defaults)
    errors = sorted(cls(schema).iter_errors(obj), key=lambda e: list(map(str, e.path)))
    if errors:
        lines = []
        for err in errors:
            where = "/".join(str(p) for p in err.path) or "(top level)"
            lines.append(f"  at {where}: {err.message}")
        raise ConfigError(f"{source}: invalid ({schema_name}):\n" + "\n".join(lines))
    return obj


def load_config(path: str | Path) -> dict:
    """Read and validate ``config.yaml``; defaults from the schema are filled in."""
    return validate(read_yaml(path), "config.schema.yaml", path)


def _wave_order(wave: str) -> tuple:
    # W2 before W10: the number in the id, then the id itself
    digits = "".join(ch for ch in wave if ch.isdigit())
    return (int(digits) if digits else 0, wave)


def configured_waves(config: dict) -> dict[str, dict]:
    """The waves a run reads, wave id -> entry, in wave order.

    The user's ``waves:`` (an entry set to null is left out). The shipped synthetic fixture
    (``fixture:``) is read only when the user names no wave of their own, or when they add
    it on purpose with ``include_fixture: true`` (their entry wins for a wave in both).
    Snakemake merges ``--configfile`` mappings key by key, so the fixture must not sit under
    ``waves:``: it would join every run on other files.
    """
    own = {w: e for w, e in (config.get("waves") or {}).items() if e is not None}
    fixture = config.get("fixture") or {}
    chosen = own if own else dict(fixture)
    if own and config.get("include_fixture"):
        chosen = {**fixture, **own}
    return {w: chosen[w] for w in sorted(chosen, key=_wave_order)}


def wave_files(config: dict, wave: str) -> list[str]:
    """The release file(s) configured for ``wave``: ``file:`` or ``files:``."""
    entry = configured_waves(config)[wave]
    return [entry["file"]] if "file" in entry else list(entry["files"])


FIXTURE_DIR = "data/fixture"


def is_fixture_file(path: str | Path, config: dict) -> bool:
    """Whether ``path`` is one of the shipped synthetic fixture's files (``fixture:``, or
    anything under data/fixture/)."""
    resolved = Path(path).resolve()
    shipped = {
        Path(f).resolve()
        for entry in (config.get("fixture") or {}).values()
        for f in ([entry["file"]] if "file" in entry else entry.get("files", []))
    }
    return resolved in shipped or resolved.is_relative_to(Path(FIXTURE_DIR).resolve())


def fixture_waves(config: dict) -> tuple[list[str], bool]:
    """(waves read from the synthetic fixture, whether they sit beside waves of other files).

    Raises
    ------
    ConfigError
        when fixture files and other files are mixed without ``include_fixture: true``: a
        run on your files must report your files only.
    """
    waves = configured_waves(config)
    synthetic, other = {}, {}
    for wave in waves:
        for path in wave_files(config, wave):
            (synthetic if is_fixture_file(path, config) else other).setdefault(wave, []).append(
                path
            )
    mixed = bool(synthetic) and bool(other)
    if mixed and not config.get("include_fixture"):
        raise ConfigError(
            f"config: waves mix the shipped SYNTHETIC fixture ({_listing(synthetic)}) with "
            f"other files ({_listing(other)}); a run on your files reads only them. Remove the "
            "fixture's entries (an entry set to null drops a wave), or set "
            "`include_fixture: true` to add the synthetic waves on purpose (every output then "
            "says which waves are synthetic)"
        )
    return sorted(synthetic, key=_wave_order), mixed


def _listing(files: dict[str, list[str]]) -> str:
    return "; ".join(f"{wave}: {', '.join(paths)}" for wave, paths in files.items())


CODEBOOK_SUFFIXES = (".codebook.yaml", ".codebook.yml", ".codebook.json")


def codebook_candidates(path: str | Path) -> list[Path]:
    """Where the sidecar codebook of a CSV release may be, in the order looked up."""
    path = Path(path)
    stems = [path.with_suffix(""), path]  # W6.codebook.yaml, then W6.csv.codebook.yaml
    return [stem.with_name(stem.name + suffix) for stem in stems for suffix in CODEBOOK_SUFFIXES]


def weighted_headline(config: dict, wave: str) -> bool:
    """Whether the headline tables weight ``wave`` (``weights:`` is a bool or per-wave map)."""
    weights = config.get("weights", True)
    if isinstance(weights, bool):
        return weights
    return bool(weights.get(wave, True))


def check_figure_waves(crosswalk, waves: list[str], table4: list[str], figure1: list[str]):
    """Refuse, before any job runs, Table 4 / Figure 1 waves that cannot be drawn together.

    Figure 1's panels share one colour scale and one set of axis words, so its waves must
    share a scale length (W5's six points cannot sit beside four-point waves).
    """
    for key, chosen in (("table4", table4), ("figure1", figure1)):
        unknown = [w for w in chosen if w not in waves]
        if unknown:
            raise ConfigError(f"config: {key}/waves: {unknown} are not among `waves:` {waves}")
    points = {w: crosswalk.wave(w).scale.points for w in figure1}
    if len(set(points.values())) > 1:
        raise ConfigError(
            f"config: figure1/waves mixes scale lengths {points}; list waves of one scale "
            "length (e.g. leave W5's six-point scale out)"
        )


#: Table 4 and Figure 1 of Farid & Song (2020): mainland China, ABS W3 (2011) and W4 (2015).
PAPER_COUNTRY = "china"
PAPER_WAVES = ("W3", "W4")


def paper_plan(config: dict, key: str, waves: list[str], crosswalk) -> dict:
    """What ``table4`` or ``figure1`` draws in this run, decided from the configured data.

    Unset, they show the paper's comparison (``PAPER_COUNTRY`` in ``PAPER_WAVES``) when the
    run has those waves and that country, and are *not applicable* otherwise: a run on other
    waves is not an error, and nobody has to edit these keys for it. Set explicitly, what
    they ask for must be in the run, or the config is refused before any job starts.

    Returns
    -------
    dict
        ``applicable``, ``country``, ``waves`` (empty when not applicable), ``explicit`` and
        ``reason`` (why not applicable; "" when applicable).
    """
    spec = config.get(key) or {}
    country = spec.get("country", PAPER_COUNTRY)
    chosen = list(spec.get("waves", PAPER_WAVES))
    if spec.get("country") is not None:
        try:
            crosswalk.country_code(country)
        except ConfigError as exc:
            raise ConfigError(f"config: {key}/country: {exc}") from None
    countries = config.get("countries", "all")
    absent = [w for w in chosen if w not in waves]
    reason = ""
    if not chosen:
        reason = "no waves listed"
    elif absent:
        reason = f"this run has no {', '.join(absent)} (its waves: {', '.join(waves)})"
    elif countries != "all" and country not in countries:
        reason = f"{country} is not among the configured countries ({', '.join(countries)})"
    if reason and spec:
        given = ", ".join(f"{k}: {v}" for k, v in spec.items())
        default = "" if "waves" in spec else f"its waves default to {'/'.join(PAPER_WAVES)}; "
        raise ConfigError(
            f"config: {key} ({given}) cannot be drawn: {reason}; {default}"
            f"fix `{key}:` or remove it (unset, it follows the configured data)"
        )
    return {
        "applicable": not reason,
        "country": country,
        "waves": [] if reason else chosen,
        "explicit": bool(spec),
        "reason": reason,
    }


def check_config_values(config: dict, crosswalk, waves: list[str]) -> None:
    """Cross-field checks the JSON Schema cannot express, before any job starts.

    Raises
    ------
    ConfigError
        listing every problem: an institution correlated with itself or a pair listed twice,
        a ``weights:`` entry for a wave the crosswalk does not know, an encoding Python
        does not know.
    """
    import codecs

    problems = []
    pairs = config.get("correlations") or []
    for i, pair in enumerate(pairs):
        if pair[0] == pair[1]:
            problems.append(
                f"correlations/{i}: {pair} correlates {pair[0]!r} with itself; name two "
                "different institutions"
            )
        elif sorted(pair) in [sorted(p) for p in pairs[:i]]:
            problems.append(f"correlations/{i}: the pair {pair} is listed twice")
    weights = config.get("weights")
    if isinstance(weights, dict):
        for wave in weights:
            if wave not in crosswalk.waves:
                problems.append(
                    f"weights/{wave}: no such wave in the crosswalk "
                    f"(known: {', '.join(sorted(crosswalk.waves))})"
                )
    for wave, entry in configured_waves(config).items():
        if entry.get("encoding"):
            try:
                codecs.lookup(entry["encoding"])
            except LookupError:
                problems.append(
                    f"waves/{wave}/encoding: {entry['encoding']!r} is not an encoding Python "
                    "knows (e.g. big5, utf-8, cp1252)"
                )
    if problems:
        raise ConfigError("config: invalid values:\n" + "\n".join(f"  {p}" for p in problems))


def plan_with_data(plan: dict, metas: dict, key: str) -> dict:
    """A `paper_plan`, checked against the data once the waves are read: its country must
    have respondents in every one of its waves. Unset keys make the table or figure not
    applicable then; an explicit request the data cannot meet is an error.

    ``metas``: wave -> the wave's sidecar (``data/interim/<wave>.json``).
    """
    plan = dict(plan)
    if not plan["applicable"]:
        return plan
    lacking = [w for w in plan["waves"] if plan["country"] not in metas[w]["countries"]]
    if lacking:
        reason = f"{plan['country']} has no respondents in {', '.join(lacking)}"
        if plan["explicit"]:
            from abs_trust.errors import DataError

            raise DataError(f"config: {key}: {reason}; fix `{key}:` or remove it")
        plan.update(applicable=False, waves=[], reason=reason)
    return plan
