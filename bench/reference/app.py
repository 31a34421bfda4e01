"""The seed's scoring service, as its design described it: FastAPI + a pydantic request model,
one XGBoost predict per request, served by uvicorn. The serving benchmark (bench/serve/run)
measures `leadscore serve` against it on the same model file and body.

It is a *generous* reference: an `async def` endpoint (no thread-pool hop), numpy instead of a
pandas DataFrame, `inplace_predict` on a Booster pinned to one thread (XGBoost's OpenMP threads
would fight uvicorn's workers for the two cores). It answers exactly what leadscore answers:
the calibrated score, the label and the model version read from the model file.

Run: LEADSCORE_MODEL=ml/lead_scoring_model.json .venv/bin/uvicorn app:app --app-dir bench/reference
"""

from __future__ import annotations

import json
import os
from typing import Literal

import numpy as np
import xgboost as xgb
from fastapi import FastAPI
from lead import lead_model, strict_from_environment
from pydantic import BaseModel

# The seed's model is lax; LEADSCORE_STRICT_INPUT=1 compares with `leadscore serve --strict-input`.
Lead = lead_model(strict=strict_from_environment())


class Score(BaseModel):
    score: float
    label: Literal["high", "low"]
    model_version: str


def _load(path: str) -> tuple[xgb.Booster, list[str], dict, float, str]:
    booster = xgb.Booster(params={"nthread": 1}, model_file=path)
    attributes = json.loads(booster.save_raw("json"))["learner"]["attributes"]
    return (
        booster,
        booster.feature_names or [],
        json.loads(attributes["calibration"]),
        float(attributes["threshold"]),
        attributes["model_version"],
    )


BOOSTER, COLUMNS, CALIBRATION, THRESHOLD, VERSION = _load(
    os.environ.get("LEADSCORE_MODEL", "ml/lead_scoring_model.json")
)
COLUMN_INDEX = {name: i for i, name in enumerate(COLUMNS)}
UNKNOWN_CHANNEL = "channel=Unassigned"


def _calibrate(probability: float) -> float:
    if CALIBRATION["method"] == "isotonic":
        return float(np.interp(probability, CALIBRATION["x"], CALIBRATION["y"]))
    if CALIBRATION["method"] == "platt":
        logit = np.log(probability / (1.0 - probability))
        return float(1.0 / (1.0 + np.exp(-(CALIBRATION["a"] * logit + CALIBRATION["b"]))))
    return probability


app = FastAPI(title="seed lead scoring (reference)")


@app.post("/score")
async def score(lead: Lead) -> Score:
    row = np.zeros((1, len(COLUMNS)), dtype=np.float32)
    row[0, 0:4] = (lead.sessions, lead.engaged_sessions, lead.page_views, lead.is_first_visit)
    if len(COLUMNS) > 4:
        channel = f"channel={lead.channel}"
        row[0, COLUMN_INDEX.get(channel, COLUMN_INDEX[UNKNOWN_CHANNEL])] = 1.0
    probability = float(BOOSTER.inplace_predict(row)[0])
    calibrated = _calibrate(probability)
    return Score(
        score=calibrated, label="high" if calibrated > THRESHOLD else "low", model_version=VERSION
    )
