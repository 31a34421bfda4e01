"""Reads spec/feature_spec.json, the one feature spec, for dbt and the CSV export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warehouse.errors import LoadError

FeatureSpec = dict[str, Any]


def load_feature_spec(path: Path, shown: str) -> FeatureSpec:
    """The parsed spec; LoadError if it is missing, not JSON, or lacks what dbt relies on.

    Only the shape the warehouse needs is checked here; the dbt macros check the rest.
    """
    remedy = f"To fix: restore {shown} (`git checkout -- {shown}`) or pass --spec FILE."
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LoadError(f"feature spec {shown} is missing", remedy) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LoadError(f"feature spec {shown} cannot be read: {error}", remedy) from error
    if not isinstance(spec, dict):
        raise LoadError(f"feature spec {shown} is not a JSON object", remedy)
    required = {
        "id": (str, "a string"),
        "label": (str, "a string"),
        "features": (list, "a list"),
        "columns": (list, "a list"),
    }
    problems = [
        f"feature spec {shown}: '{key}' must be {what}"
        for key, (kind, what) in required.items()
        if not isinstance(spec.get(key), kind)
    ]
    if problems:
        raise LoadError(problems, remedy)
    return spec


def spec_columns(spec: FeatureSpec) -> list[str]:
    """The feature table's columns, in the order the exported CSV must have them."""
    return [str(column) for column in spec["columns"]]
