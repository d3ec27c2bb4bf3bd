"""The trust battery: which variables are trust items, and the institution each one names.

Also the response scale the items share: an existing scale of the crosswalk when one fits
every item exactly, otherwise a new one, proposed and flagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from abs_trust.tools.suggest.dictionary import PLACEHOLDER, Variable, _codes_text, _Flags
from abs_trust.tools.suggest.labels import (
    INSTITUTIONS,
    TRUST_BOTTOM,
    TRUST_TOP,
    _norm,
    match_institution,
)


@dataclass(frozen=True)
class TrustItem:
    var: Variable
    substantive: Mapping[int, str]
    nonresponse: Mapping[int, str]
    top: int | None
    bottom: int | None

    @property
    def direction(self) -> str | None:
        """``descending`` (lowest code = most trust) or ``ascending``; None if unclear."""
        codes = sorted(self.substantive)
        if self.top is None or self.bottom is None or len(codes) < 3:
            return None
        if codes != list(range(codes[0], codes[-1] + 1)):
            return None  # gaps: some labelled code is neither an answer nor nonresponse
        if (self.top, self.bottom) == (codes[0], codes[-1]):
            return "descending"
        if (self.top, self.bottom) == (codes[-1], codes[0]):
            return "ascending"
        return None

    @property
    def signature(self) -> tuple:
        return (tuple(sorted(self.substantive)), self.direction)


def _trust_item(var: Variable) -> TrustItem | None:
    """The variable as a trust item, if its value labels are a trust scale."""
    substantive = var.substantive_codes()
    tops = [c for c, t in substantive.items() if TRUST_TOP.search(_norm(t))]
    bottoms = [c for c, t in substantive.items() if TRUST_BOTTOM.search(_norm(t))]
    if not tops or not bottoms:
        return None
    return TrustItem(
        var=var,
        substantive=substantive,
        nonresponse=var.nonresponse_codes(),
        top=tops[0] if len(tops) == 1 else None,
        bottom=bottoms[0] if len(bottoms) == 1 else None,
    )


def _scale_from_items(
    items: list[TrustItem], existing: Mapping[str, Any], wave_id: str, flags: _Flags
) -> tuple[str, dict | None]:
    """Name an existing scale that fits every item exactly, or propose a new one."""
    codes = sorted(items[0].substantive)
    direction = items[0].direction
    k = len(codes)
    # harmonized level: 1 = least trust ... K = most trust
    order = codes if direction == "ascending" else codes[::-1]
    recode = dict(sorted((code, level) for level, code in enumerate(order, start=1)))
    top_half = [c for c, level in recode.items() if level > k / 2 + (0.5 if k % 2 else 0)]
    trusting = sorted(top_half)

    def fits(spec: Mapping) -> bool:
        try:
            want = {int(c): str(t).lower() for c, t in spec["labels"].items()}
            spec_recode = {int(c): int(v) for c, v in spec["recode"].items()}
            spec_trusting = sorted(int(c) for c in spec["trusting"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        if spec_recode != recode or set(want) != set(codes) or spec_trusting != trusting:
            return False
        return all(want[c] in _norm(item.substantive[c]) for item in items for c in codes)

    for name, spec in existing.items():
        if isinstance(spec, Mapping) and fits(spec):
            return name, None

    # New scale: for each code the shortest label text, which every item must contain.
    labels, level_words = {}, {}
    for code in codes:
        texts = [item.substantive[code] for item in items]
        shortest = min(texts, key=lambda t: len(_norm(t)))
        labels[code] = _norm(shortest)
        level_words[recode[code]] = " ".join(shortest.split())
        if not all(labels[code] in _norm(t) for t in texts):
            flags.add(
                "trust.scale",
                f"code {code} is labelled differently across items "
                f"({sorted({' '.join(t.split()) for t in texts})}); check the proposed labels",
            )
    name = f"trust{k}_{direction}"
    if name in existing:
        name = f"{name}_{wave_id.lower()}"
        flags.add(
            "trust.scale",
            f"the existing scale trust{k}_{direction} does not match this file's value "
            f"labels, so a new scale {name} is proposed",
        )
    scale = {
        "labels": labels,
        "recode": recode,
        "trusting": trusting,
        "level_labels": [level_words[level] for level in range(1, k + 1)],
    }
    trusting_words = ", ".join(repr(" ".join(items[0].substantive[c].split())) for c in trusting)
    if k != 4:
        scale["comparable"] = (
            f"{k}-point scale: levels and trusting shares are not comparable with the 4-point waves"
        )
        flags.add(
            f"scales.{name}.trusting",
            f"counting the top half of a {k}-point scale (codes {trusting}: {trusting_words}) "
            "as trusting is a substantive choice, not a fact of the file; the 4-point waves "
            "count the top 2 of 4",
        )
    if k % 2:
        flags.add(
            f"scales.{name}.trusting",
            f"a {k}-point scale has a middle code ({order[k // 2]}); it is not counted as trusting",
        )
    flags.add(
        "trust.scale",
        f"no scale in the crosswalk fits these value labels; new scale {name} proposed "
        f"({k} points, {direction}): paste it under `scales:`",
    )
    return name, scale


def _suggest_trust(
    variables: list[Variable], existing_scales: Mapping, wave_id: str, flags: _Flags
) -> tuple[dict, dict]:
    trust_vars = [item for v in variables if (item := _trust_item(v)) is not None]
    by_institution: dict[str, list[TrustItem]] = {}
    for item in trust_vars:
        full, mentions = match_institution(item.var.label)
        if len(full) == 1:
            by_institution.setdefault(full[0], []).append(item)
        elif len(full) > 1:
            flags.add(
                "trust.items",
                f"{item.var.describe()} reads as several institutions ({', '.join(full)}); "
                "not mapped",
            )
        elif mentions:
            flags.add(
                "trust.items",
                f"{item.var.describe()} is a trust item that mentions "
                f"{' / '.join(mentions)} but does not read as the standard item; not mapped "
                "(check by hand)",
            )
        else:
            flags.add(
                "trust.items",
                f"{item.var.describe()} is a trust item that matches no institution; not mapped",
            )

    chosen: dict[str, TrustItem] = {}
    for institution in INSTITUTIONS:
        candidates = by_institution.get(institution, [])
        if len(candidates) > 1:
            flags.add(
                f"trust.items.{institution}",
                f"several variables read as {institution}: "
                f"{'; '.join(c.var.describe() for c in candidates)}; the labels cannot tell "
                "them apart, so none is mapped (choose one by hand)",
            )
        elif candidates:
            chosen[institution] = candidates[0]
    missing = [i for i in INSTITUTIONS if i not in by_institution]
    if missing:
        flags.add("trust.items", f"no trust item found for: {', '.join(missing)}")

    unclear = {i: it for i, it in chosen.items() if it.direction is None}
    for institution, item in unclear.items():
        flags.add(
            f"trust.items.{institution}",
            f"{item.var.describe()}: cannot tell the scale's direction from its value labels "
            f"({_codes_text(item.substantive)}); not mapped",
        )
        del chosen[institution]
    if chosen:
        ranked = Counter(it.signature for it in chosen.values()).most_common()
        common = ranked[0][0]
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            flags.add(
                "trust.scale",
                "the items use different scales and none is in the majority; the scale of "
                "the first item was kept (check)",
            )
        for institution, item in list(chosen.items()):
            if item.signature != common:
                flags.add(
                    f"trust.items.{institution}",
                    f"{item.var.describe()} uses a different scale "
                    f"({_codes_text(item.substantive)}) from the other items; not mapped "
                    "(a wave has one trust scale)",
                )
                del chosen[institution]

    trust: dict[str, Any] = {"scale": PLACEHOLDER, "nonresponse": [], "items": {}}
    scales: dict[str, dict] = {}
    if not chosen:
        flags.add("trust", "no trust battery recognised in this file")
        return trust, scales
    position = {v.name: i for i, v in enumerate(variables)}
    items = sorted(chosen.values(), key=lambda it: position[it.var.name])  # file order
    name, new_scale = _scale_from_items(items, existing_scales, wave_id, flags)
    trust["scale"] = name
    if new_scale is not None:
        scales[name] = new_scale

    union: dict[int, str] = {}
    for item in items:
        for code, text in item.nonresponse.items():
            union.setdefault(code, text)
    trust["nonresponse"] = sorted(union)
    partial = {
        code: [it.var.name for it in items if code in it.nonresponse]
        for code in union
        if not all(code in it.nonresponse for it in items)
    }
    if partial:
        detail = "; ".join(
            f"{code} ({union[code]!r}) only on {', '.join(names)}"
            for code, names in partial.items()
        )
        flags.add(
            "trust.nonresponse", f"the items' nonresponse codes differ (union listed): {detail}"
        )
    flags_codes = [(c, t) for c, t in union.items() if t == "(declared missing)"]
    if flags_codes:
        flags.add(
            "trust.nonresponse",
            f"codes {[c for c, _ in flags_codes]} are declared missing but have no label",
        )
    ranges = {r for it in items for r in it.var.declared_missing if r[0] != r[1]}
    if ranges:
        flags.add(
            "trust.nonresponse",
            f"declared missing ranges {sorted(ranges)}: codes inside them are not listed",
        )
    trust["items"] = {i: chosen[i].var.name for i in INSTITUTIONS if i in chosen}
    return trust, scales
