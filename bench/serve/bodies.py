"""Writes the request bodies of bench/serve/run into a directory: the seed's example lead for
/score (leadscore, the FastAPI reference, the floor), the same lead as MLflow's
`dataframe_split` over the model's one-hot columns for `mlflow models serve`, and a batch of
10,000 random leads for /score/batch."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import xgboost

EXAMPLE = {"sessions": 5, "engaged_sessions": 3, "page_views": 12, "channel": "Paid Search",
           "is_first_visit": False}
CHANNELS = ["Direct", "Organic Search", "Paid Search", "Paid Social", "Email", "Referral"]


def main() -> None:
    model, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    (out / "score.json").write_text(json.dumps(EXAMPLE))
    names = xgboost.Booster(model_file=str(model)).feature_names
    row = [float(name == f"channel={EXAMPLE['channel']}") if name.startswith("channel=")
           else float(EXAMPLE[name]) for name in names]
    (out / "mlflow.json").write_text(
        json.dumps({"dataframe_split": {"columns": names, "data": [row]}}))
    rng = random.Random(42)
    leads = []
    for _ in range(10_000):
        sessions = rng.randint(1, 30)
        leads.append({"sessions": sessions, "engaged_sessions": rng.randint(0, sessions),
                      "page_views": rng.randint(1, 150), "channel": rng.choice(CHANNELS),
                      "is_first_visit": rng.random() < 0.5})
    (out / "batch.json").write_text(json.dumps({"leads": leads}))


if __name__ == "__main__":
    main()
