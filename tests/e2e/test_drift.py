"""Drift monitoring end to end: a model trained by `leadscore train` carries its training
reference, and a real `leadscore serve` measures what it scores against it.

Leads like the training data (rows of the very features CSV the model was trained on) show no
drift; a shifted sample (page views x5, a surge of the rarest channel) drifts on exactly those
features; a short --drift-window forgets. Only the features CSV contract is relied on
(lead_id, sessions, engaged_sessions, page_views, is_first_visit, channel, is_won), not how
the generator or the loader make it.
"""

from __future__ import annotations

import csv
import json
import random
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from fixtures.leadscore_server import LeadscoreServer, leadscore_server
from fixtures.mlflow_server import REPO

# Every feature of the spec: the reference covers them all, whatever the model uses (the
# recency features, absent from the DESIGN table, at their default).
FEATURES = [f["name"] for f in json.loads((REPO / "spec/feature_spec.json").read_text())["features"]]
SAMPLE = 3000


def leads_of(features_csv: Path, count: int, seed: int) -> list[dict[str, Any]]:
    """`count` rows of the features CSV drawn at random, as /score leads."""
    with features_csv.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    chosen = random.Random(seed).sample(rows, count)
    return [{"sessions": int(row["sessions"]), "engaged_sessions": int(row["engaged_sessions"]),
             "page_views": int(row["page_views"]),
             "is_first_visit": row["is_first_visit"].strip().lower() in {"1", "true"},
             "channel": row["channel"]} for row in chosen]


def score(server: LeadscoreServer, leads: list[dict[str, Any]]) -> None:
    response = requests.post(f"{server.url}/score/batch", json={"leads": leads}, timeout=60)
    assert response.status_code == 200, response.text


def gauges(server: LeadscoreServer) -> dict[str, float]:
    """The drift series of /metrics by name (feature PSIs as feature_psi:<name>)."""
    values: dict[str, float] = {}
    for line in requests.get(f"{server.url}/metrics", timeout=10).text.splitlines():
        name, _, value = line.rpartition(" ")
        if name.startswith('leadscore_feature_psi{feature="'):
            values["feature_psi:" + name.split('"')[1]] = float(value)
        elif name in {"leadscore_score_psi", "leadscore_drift_window_scores"}:
            values[name] = float(value)
    return values


def drift(server: LeadscoreServer) -> dict[str, Any]:
    response = requests.get(f"{server.url}/model/drift", timeout=10)
    assert response.status_code == 200, response.text
    return dict(response.json())


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {feature["name"]: feature for feature in report["features"]}


def test_the_model_stores_a_reference_of_every_spec_feature(models: dict[str, Path]) -> None:
    attributes = json.loads(models["base"].read_text())["learner"]["attributes"]
    reference = json.loads(attributes["drift_reference"])
    # The base model does not use channel; its reference still covers it.
    assert [feature["name"] for feature in reference["features"]] == FEATURES
    channel = reference["features"][4]
    assert channel["kind"] == "category" and "Unassigned" in channel["values"]
    counts = reference["features"][2]
    assert counts["kind"] == "count" and 2 <= len(counts["counts"]) <= 10
    assert len(counts["cuts"]) == len(counts["counts"]) - 1
    assert reference["score"]["kind"] == "score" and len(reference["score"]["counts"]) <= 10


def test_leads_like_the_training_data_do_not_drift(models: dict[str, Path],
                                                    tmp_path: Path) -> None:
    with leadscore_server(tmp_path, "--model", str(models["channel"])) as server:
        before = drift(server)
        assert before["leads"] == 0 and before["score"]["psi"] is None
        assert before["score"]["status"] == "no data"
        reference = requests.get(f"{server.url}/model", timeout=10).json()["drift_reference"]
        assert list(reference) == [*FEATURES, "score"]
        assert reference["channel"]["labels"][-1] == "Unassigned"
        assert sum(reference["page_views"]["shares"]) == pytest.approx(1.0)
        score(server, leads_of(models["features"], SAMPLE, seed=1))

        metrics = gauges(server)
        assert metrics["leadscore_drift_window_scores"] == SAMPLE
        for feature in FEATURES:
            assert metrics[f"feature_psi:{feature}"] < 0.1, (feature, metrics)
        assert metrics["leadscore_score_psi"] < 0.1, metrics

        report = drift(server)
        assert report["leads"] == SAMPLE and report["window_seconds"] == 3600
        assert report["model_version"] == requests.get(f"{server.url}/model",
                                                       timeout=10).json()["model_version"]
        for histogram in [*report["features"], report["score"]]:
            assert histogram["psi"] < 0.1 and histogram["status"] == "ok", histogram
            assert sum(b["reference"] for b in histogram["bins"]) == pytest.approx(1.0)
            assert sum(b["live"] for b in histogram["bins"]) == pytest.approx(1.0)


def test_a_shifted_sample_drifts_on_the_shifted_features(models: dict[str, Path],
                                                        tmp_path: Path) -> None:
    with leadscore_server(tmp_path, "--model", str(models["channel"])) as server:
        channel_bins = by_name(drift(server))["channel"]["bins"]
        rare = min(channel_bins, key=lambda b: b["reference"])["label"]
        leads = leads_of(models["features"], SAMPLE, seed=2)
        for index, lead in enumerate(leads):
            lead["page_views"] *= 5
            if index % 3 == 0:
                lead["channel"] = rare  # a campaign floods one channel
        score(server, leads)

        metrics = gauges(server)
        assert metrics["feature_psi:page_views"] > 0.2, metrics
        assert metrics["feature_psi:channel"] > 0.2, metrics
        assert metrics["feature_psi:is_first_visit"] < 0.1, metrics

        report = by_name(drift(server))
        assert report["page_views"]["status"] == "alert"
        assert report["channel"]["status"] == "alert"
        assert report["channel"]["top_shifts"][0]["label"] == rare
        assert report["is_first_visit"]["status"] == "ok"


def test_a_short_window_forgets(models: dict[str, Path], tmp_path: Path) -> None:
    with leadscore_server(tmp_path, "--model", str(models["channel"]),
                          "--drift-window", "4") as server:
        score(server, leads_of(models["features"], 200, seed=3))
        assert gauges(server)["leadscore_drift_window_scores"] == 200
        assert drift(server)["window_seconds"] == 4
        time.sleep(4.5)
        metrics = gauges(server)
        assert metrics["leadscore_drift_window_scores"] == 0
        assert metrics["leadscore_score_psi"] != metrics["leadscore_score_psi"]  # NaN: no data
        assert drift(server)["leads"] == 0


def test_drift_off_and_a_model_without_reference_say_what_to_do(models: dict[str, Path],
                                                                 tmp_path: Path) -> None:
    with leadscore_server(tmp_path, "--model", str(models["channel"]),
                          "--drift-window", "0") as server:
        off = requests.get(f"{server.url}/model/drift", timeout=10)
        assert off.status_code == 503 and "--drift-window" in off.json()["detail"]
        assert "leadscore_feature_psi" not in requests.get(f"{server.url}/metrics",
                                                           timeout=10).text

    old = json.loads(models["channel"].read_text())
    del old["learner"]["attributes"]["drift_reference"]
    old_model = tmp_path / "old-model.json"
    old_model.write_text(json.dumps(old))
    with leadscore_server(tmp_path, "--model", str(old_model)) as server:
        missing = requests.get(f"{server.url}/model/drift", timeout=10)
        assert missing.status_code == 409
        assert "retrain" in missing.json()["detail"]
        assert requests.get(f"{server.url}/model", timeout=10).json()["drift_reference"] is None
        score(server, leads_of(models["features"], 10, seed=4))  # still scores
