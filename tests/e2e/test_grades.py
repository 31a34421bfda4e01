"""Grades A-D end to end: cut points chosen by `leadscore train` and stored in the model file,
the grade and the alert verdict on explained scores (/score, /score/batch) and in
`leadscore score`'s output, the one alert setting (LEADSCORE_ALERT_THRESHOLD), and models
saved before grades (no grade, alerts on the threshold alone)."""

from __future__ import annotations

import csv
import json
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from fixtures.commands import run
from fixtures.leadscore_server import BINARY, LeadscoreServer, leadscore_server
from fixtures.mlflow_server import REPO

CHANNELS = ["Direct", "Organic Search", "Paid Search", "Paid Social", "Email", "Referral"]


def attributes(model: Path) -> dict[str, str]:
    return json.loads(model.read_text())["learner"]["attributes"]


def grade_of(cuts: list[float], score: float) -> str:
    for letter, cut in zip("ABC", cuts, strict=True):
        if score >= cut:
            return letter
    return "D"


def leads(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        sessions = rng.randint(0, 40)
        out.append(
            {
                "sessions": sessions,
                "engaged_sessions": rng.randint(0, sessions),
                "page_views": rng.randint(0, 300),
                "channel": rng.choice(CHANNELS),
                "is_first_visit": rng.random() < 0.5,
            }
        )
    return out


def without_grades(model: Path, out: Path) -> Path:
    """The model as leadscore saved it before grades existed: no 'grades' attribute."""
    document = json.loads(model.read_text())
    del document["learner"]["attributes"]["grades"]
    out.write_text(json.dumps(document))
    return out


@pytest.fixture(scope="module")
def server(
    models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeadscoreServer]:
    with leadscore_server(
        tmp_path_factory.mktemp("grades-serve"), "--model", str(models["channel"])
    ) as running:
        yield running


def explained(url: str, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answer = requests.post(f"{url}/score/batch?explain=true", json={"leads": batch}, timeout=30)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["scores"])


def test_training_stores_default_cut_points_and_its_grades_cover_the_test_rows(
    models: dict[str, Path],
) -> None:
    grades = json.loads(attributes(models["channel"])["grades"])
    assert grades["shares"] == [0.05, 0.15, 0.30]
    a, b, c = grades["cuts"]
    assert 1 >= a >= b >= c > 0
    metrics = json.loads(attributes(models["channel"])["metrics"])
    shares = [metrics[f"grade_{g}_share"] for g in "ABCD"]
    assert sum(shares) == pytest.approx(1.0)
    assert sum(metrics[f"grade_{g}_share_of_wins"] for g in "ABCD") == pytest.approx(1.0)
    # Grades rank leads: A converts best, D worst, on rows the model never saw.
    assert (
        metrics["grade_A_precision"] > metrics["grade_B_precision"] > metrics["grade_D_precision"]
    )
    assert 0.01 < shares[0] < 0.15, shares


def test_grade_shares_are_configurable_and_bad_ones_are_refused(
    models: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "wide.json"
    trained = run(
        str(BINARY),
        "train",
        "--data",
        str(models["features"]),
        "--features",
        "base+channel",
        "--tracking-uri",
        "none",
        "--grade-shares",
        "0.1,0.2,0.3",
        "--model-out",
        str(out),
    )
    assert "grades on the test rows" in trained.stdout
    assert json.loads(attributes(out)["grades"])["shares"] == [0.1, 0.2, 0.3]
    refused = subprocess.run(
        [
            str(BINARY),
            "train",
            "--data",
            str(models["features"]),
            "--tracking-uri",
            "none",
            "--grade-shares",
            "0.5,0.4,0.3",
            "--model-out",
            str(tmp_path / "never.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode != 0
    assert "--grade-shares" in refused.stderr and "sum to" in refused.stderr
    assert not (tmp_path / "never.json").exists()


def test_explained_scores_carry_grade_and_alert_plain_ones_only_the_seed_fields(
    server: LeadscoreServer, models: dict[str, Path]
) -> None:
    cuts = json.loads(attributes(models["channel"])["grades"])["cuts"]
    threshold = float(attributes(models["channel"])["threshold"])
    batch = leads(400, seed=13)
    scored = explained(server.url, batch)
    for lead, item in zip(batch, scored, strict=True):
        assert item["grade"] == grade_of(cuts, item["score"])
        assert item["alert"] == (item["grade"] == "A" or item["score"] > threshold)
        assert item["label"] == ("high" if item["score"] > threshold else "low")
        single = requests.post(f"{server.url}/score?explain=true", json=lead, timeout=10).json()
        assert (single["grade"], single["alert"]) == (item["grade"], item["alert"])
        plain = requests.post(f"{server.url}/score", json=lead, timeout=10).json()
        assert set(plain) == {"score", "label", "model_version"}
    assert {item["grade"] for item in scored} >= {"A", "D"}


def test_alert_threshold_is_one_setting_for_server_and_batch(
    models: dict[str, Path], tmp_path: Path
) -> None:
    batch = leads(300, seed=21)
    with leadscore_server(
        tmp_path, "--model", str(models["channel"]), env={"LEADSCORE_ALERT_THRESHOLD": "0.05"}
    ) as running:
        scored = explained(running.url, batch)
    assert [item["alert"] for item in scored] == [
        item["grade"] == "A" or item["score"] > 0.05 for item in scored
    ]
    assert any(item["alert"] and item["grade"] != "A" for item in scored)
    table = write_table(tmp_path / "leads.csv", batch)
    out = tmp_path / "scores.csv"
    subprocess.run(
        [
            str(BINARY),
            "score",
            "--model",
            str(models["channel"]),
            "--in",
            str(table),
            "--out",
            str(out),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
        env={"LEADSCORE_ALERT_THRESHOLD": "0.05", "PATH": "/usr/bin:/bin"},
    )
    rows = list(csv.DictReader(out.open()))
    assert [row["alert"] == "true" for row in rows] == [item["alert"] for item in scored]
    assert [row["grade"] for row in rows] == [item["grade"] for item in scored]


def write_table(path: Path, batch: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "lead_id",
                "email",
                "channel",
                "sessions",
                "engaged_sessions",
                "page_views",
                "is_first_visit",
            ]
        )
        for i, lead in enumerate(batch):
            writer.writerow(
                [
                    f"L{i}",
                    f"l{i}@example.com",
                    lead["channel"],
                    lead["sessions"],
                    lead["engaged_sessions"],
                    lead["page_views"],
                    int(lead["is_first_visit"]),
                ]
            )
    return path


def test_batch_score_reasons_match_the_servers(
    server: LeadscoreServer, models: dict[str, Path], tmp_path: Path
) -> None:
    batch = leads(50, seed=34)
    table = write_table(tmp_path / "leads.csv", batch)
    out = tmp_path / "scores.csv"
    run(
        str(BINARY),
        "score",
        "--model",
        str(models["channel"]),
        "--in",
        str(table),
        "--out",
        str(out),
        "--reasons",
    )
    rows = list(csv.DictReader(out.open()))
    for row, item in zip(rows, explained(server.url, batch), strict=True):
        reasons = json.loads(row["reasons"])
        assert len(reasons) == 3
        assert [r["feature"] for r in reasons] == [r["feature"] for r in item["reasons"][:3]]
        for mine, theirs in zip(reasons, item["reasons"], strict=False):
            assert mine["value"] == theirs["value"] and mine["direction"] == theirs["direction"]
            assert mine["contribution"] == pytest.approx(theirs["contribution"], abs=1e-5)


def test_model_without_grades_scores_without_grade_and_alerts_on_the_threshold(
    models: dict[str, Path], tmp_path: Path
) -> None:
    old = without_grades(models["base"], tmp_path / "old.json")  # threshold 0.2
    batch = leads(300, seed=55)
    with leadscore_server(tmp_path, "--model", str(old)) as running:
        scored = explained(running.url, batch)
    assert all(item["grade"] is None for item in scored)
    assert [item["alert"] for item in scored] == [item["score"] > 0.2 for item in scored]
    with leadscore_server(tmp_path, "--model", str(old)) as running:
        info = requests.get(f"{running.url}/model", timeout=10).json()
    assert info["grades"] is None
    assert info["alert"] == {
        "threshold": 0.2,
        "threshold_source": "model",
        "rule": "score > threshold",
    }
    assert any(item["alert"] for item in scored) and not all(item["alert"] for item in scored)
    out = tmp_path / "scores.csv"
    result = run(
        str(BINARY),
        "score",
        "--model",
        str(old),
        "--in",
        str(write_table(tmp_path / "leads.csv", batch)),
        "--out",
        str(out),
    )
    assert "has no grade cut points" in result.stderr
    assert {row["grade"] for row in csv.DictReader(out.open())} == {""}


def test_openapi_documents_grade_and_alert(server: LeadscoreServer) -> None:
    schema = requests.get(f"{server.url}/openapi.json", timeout=10).json()
    properties = schema["components"]["schemas"]["Score"]["properties"]
    assert properties["alert"] == {"type": "boolean"}
    assert set(properties["grade"]["enum"]) == {"A", "B", "C", "D", None}


def test_model_endpoint_says_what_each_grade_means_and_who_alerts(
    models: dict[str, Path], tmp_path: Path
) -> None:
    """GET /model carries the model's cut points, so a client can tell what A means: the
    grades the server gives follow them, and the alert rule names the configured threshold."""
    stored = json.loads(attributes(models["channel"])["grades"])
    batch = leads(300, seed=23)
    with leadscore_server(
        tmp_path, "--model", str(models["channel"]), env={"LEADSCORE_ALERT_THRESHOLD": "0.05"}
    ) as running:
        info = requests.get(f"{running.url}/model", timeout=10).json()
        scored = explained(running.url, batch)
    grades = info["grades"]
    assert [g["grade"] for g in grades] == ["A", "B", "C", "D"]
    assert [g["min_score"] for g in grades] == [*stored["cuts"], 0.0]
    assert [g["target_share"] for g in grades[:3]] == stored["shares"]
    assert sum(g["target_share"] for g in grades) == pytest.approx(1.0)

    def by_cuts(score: float) -> str:
        return next(g["grade"] for g in grades if score >= g["min_score"])

    assert [by_cuts(item["score"]) for item in scored] == [item["grade"] for item in scored]
    assert {item["grade"] for item in scored} >= {"A", "D"}
    assert info["alert"] == {
        "threshold": 0.05,
        "threshold_source": "configured",
        "rule": "grade A, or score > threshold",
    }
    assert [item["alert"] for item in scored] == [
        item["grade"] == "A" or item["score"] > info["alert"]["threshold"] for item in scored
    ]


def test_openapi_documents_the_grade_cut_points_of_get_model(server: LeadscoreServer) -> None:
    schemas = requests.get(f"{server.url}/openapi.json", timeout=10).json()["components"]["schemas"]
    model = schemas["ModelInfo"]
    assert {"grades", "alert"} <= set(model["required"])
    assert model["properties"]["grades"]["items"] == {"$ref": "#/components/schemas/GradeCut"}
    assert schemas["GradeCut"]["required"] == ["grade", "min_score", "target_share"]
    assert schemas["AlertRule"]["properties"]["threshold_source"]["enum"] == ["configured", "model"]
