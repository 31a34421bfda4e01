"""Writes a synthetic training mart (the feature table contract) of any size, fast.

Generating GA4 events and building the mart with dbt takes far longer than training at 1M+
leads, so bench/spark_train synthesizes mart rows directly: counts, first-visit flag and GA4
channel drawn from a latent intent, the label from a logistic function of intent and channel,
roughly the default data's shape (10-11 % won). Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]


def synthesize(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    spec = json.loads((REPO / "spec/feature_spec.json").read_text())
    channels = next(f["values"] for f in spec["features"] if f["name"] == "channel")
    mix = np.linspace(3.0, 0.2, len(channels))
    channel = rng.choice(len(channels), size=rows, p=mix / mix.sum())
    intent = rng.normal(size=rows)
    sessions = 1 + rng.poisson(np.exp(0.4 + 0.5 * intent).clip(0.1, 20))
    engaged = rng.binomial(sessions, 1 / (1 + np.exp(-intent)))
    page_views = sessions + rng.poisson(np.exp(1.0 + 0.4 * intent).clip(0.1, 50))
    first = (rng.random(rows) < 0.6).astype(int)
    channel_lift = np.linspace(0.6, -0.6, len(channels))[channel]
    p_won = 1 / (1 + np.exp(-(-2.6 + 1.1 * intent + channel_lift - 0.3 * first)))
    won = (rng.random(rows) < p_won).astype(int)
    ids = np.char.add("L", np.arange(rows).astype(str))
    return pd.DataFrame(
        {
            "lead_id": ids,
            "email": np.char.add(ids, "@example.com"),
            "channel": np.asarray(channels)[channel],
            "sessions": sessions,
            "engaged_sessions": engaged,
            "page_views": page_views,
            "is_first_visit": first,
            "is_won": won,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    synthesize(args.rows, args.seed).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
