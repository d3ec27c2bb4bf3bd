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


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file, turning a missing file or a syntax error into a `ConfigError`."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=SAFE_LOADER)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
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


def wave_files(config: dict, wave: str) -> list[str]:
    """The release file(s) configured for ``wave``: ``file:`` or ``files:``."""
    entry = config["waves"][wave]
    return [entry["file"]] if "file" in entry else list(entry["files"])


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
