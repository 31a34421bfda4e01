"""`leadscore serve` for real: the seed's /score contract, batch scoring, FastAPI-shaped
errors (compared with the seed's FastAPI design itself), security, metrics, docs, hot reload
and draining — against models trained by the engine on a real DuckDB/dbt mart.
"""

from __future__ import annotations

import csv
import json
import math
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests
import xgboost
from fixtures.commands import run
from fixtures.fastapi_reference import fastapi_reference
from fixtures.leadscore_server import BINARY, LeadscoreServer, leadscore_server, wait_until_up
from fixtures.mlflow_server import REPO, free_port

EXAMPLE = {
    "sessions": 5,
    "engaged_sessions": 3,
    "page_views": 12,
    "channel": "Paid Search",
    "is_first_visit": False,
}
CHANNELS = [
    "Direct",
    "Organic Search",
    "Paid Search",
    "Paid Social",
    "Email",
    "Referral",
    "Display",
    "Unassigned",
    "Something Else",
]
MAX_COUNT = 1_000_000


def version_of(model: Path) -> str:
    return json.loads(model.read_text())["learner"]["attributes"]["model_version"]


@pytest.fixture(scope="module")
def server(
    models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LeadscoreServer]:
    with leadscore_server(
        tmp_path_factory.mktemp("serve-log"), "--model", str(models["channel"])
    ) as running:
        yield running


@pytest.fixture(scope="module")
def reference(models: dict[str, Path]) -> Iterator[str]:
    """The seed's design (bench/reference/app.py: FastAPI + lax pydantic) on the same model."""
    with fastapi_reference(models["channel"]) as url:
        yield url


def random_lead(rng: random.Random) -> dict:
    sessions = rng.randint(0, 40)
    return {
        "sessions": sessions,
        "engaged_sessions": rng.randint(0, sessions),
        "page_views": rng.randint(0, 200),
        "channel": rng.choice(CHANNELS),
        "is_first_visit": rng.random() < 0.5,
    }


def post(server: LeadscoreServer, path: str, body: object, **kwargs: object) -> requests.Response:
    return requests.post(f"{server.url}{path}", json=body, timeout=30, **kwargs)  # type: ignore[arg-type]


# --- the contract ---------------------------------------------------------------------------


def test_score_answers_exactly_the_seed_contract(
    server: LeadscoreServer, models: dict[str, Path]
) -> None:
    response = post(server, "/score", EXAMPLE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"score", "label", "model_version"}
    assert isinstance(body["score"], float) and 0.0 <= body["score"] <= 1.0
    assert body["label"] == ("high" if body["score"] > 0.8 else "low")
    assert body["model_version"] == version_of(models["channel"])


def python_scores(model: Path, leads: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """(raw probability, calibrated score) by Python xgboost and the model's calibration."""
    booster = xgboost.Booster(model_file=str(model))
    names = booster.feature_names
    matrix = np.zeros((len(leads), len(names)), dtype=np.float32)
    for i, lead in enumerate(leads):
        for j, name in enumerate(names):
            if name.startswith("channel="):
                channel = lead["channel"] if f"channel={lead['channel']}" in names else "Unassigned"
                matrix[i, j] = float(name == f"channel={channel}")
            else:
                matrix[i, j] = float(lead[name])
    raw = booster.predict(xgboost.DMatrix(matrix, feature_names=names))
    calibration = json.loads(json.loads(model.read_text())["learner"]["attributes"]["calibration"])
    assert calibration["method"] == "isotonic"
    return raw.astype(np.float64), np.interp(
        raw.astype(np.float64), calibration["x"], calibration["y"]
    )


def engine_scores(model: Path, leads: list[dict], tmp_path: Path) -> dict[str, float]:
    """`leadscore score` (the batch engine) on the same leads."""
    table = tmp_path / "leads.csv"
    with table.open("w", newline="") as handle:
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
                "is_won",
            ]
        )
        for i, lead in enumerate(leads):
            writer.writerow(
                [
                    f"L{i}",
                    f"l{i}@example.com",
                    lead["channel"],
                    lead["sessions"],
                    lead["engaged_sessions"],
                    lead["page_views"],
                    int(lead["is_first_visit"]),
                    0,
                ]
            )
    run(
        str(BINARY),
        "score",
        "--model",
        str(model),
        "--in",
        str(table),
        "--out",
        str(tmp_path / "scores.csv"),
    )
    with (tmp_path / "scores.csv").open(newline="") as handle:
        return {row["lead_id"]: float(row["score"]) for row in csv.DictReader(handle)}


def test_served_score_equals_the_engine_and_python_xgboost(
    server: LeadscoreServer, models: dict[str, Path], tmp_path: Path
) -> None:
    leads = [random_lead(random.Random(seed)) for seed in range(300)]
    served = np.array([post(server, "/score", lead).json()["score"] for lead in leads])
    _, python = python_scores(models["channel"], leads)
    engine = engine_scores(models["channel"], leads, tmp_path)
    np.testing.assert_allclose(served, python, rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        served, [engine[f"L{i}"] for i in range(len(leads))], rtol=0, atol=1e-6
    )
    assert len(set(np.round(served, 6))) > 10, "scores should vary with the lead"


def test_explain_gives_reasons_that_sum_to_the_margin(
    server: LeadscoreServer, models: dict[str, Path]
) -> None:
    leads = [random_lead(random.Random(1000 + seed)) for seed in range(40)]
    raw, _ = python_scores(models["channel"], leads)
    for lead, raw_probability in zip(leads, raw, strict=True):
        response = requests.post(f"{server.url}/score?explain=true", json=lead, timeout=10)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {
            "score",
            "label",
            "model_version",
            "grade",
            "alert",
            "reasons",
            "bias",
            "margin",
        }
        features = [reason["feature"] for reason in body["reasons"]]
        assert sorted(features) == sorted(
            ["sessions", "engaged_sessions", "page_views", "is_first_visit", "channel"]
        )
        sizes = [abs(reason["contribution"]) for reason in body["reasons"]]
        assert sizes == sorted(sizes, reverse=True)
        for reason in body["reasons"]:
            assert reason["direction"] == ("raises" if reason["contribution"] > 0 else "lowers")
        total = body["bias"] + sum(reason["contribution"] for reason in body["reasons"])
        assert total == pytest.approx(body["margin"], abs=1e-4)
        assert 1 / (1 + math.exp(-body["margin"])) == pytest.approx(raw_probability, abs=1e-5)
        plain = post(server, "/score", lead).json()
        assert plain["score"] == body["score"]


def test_batch_scores_in_request_order_like_single_requests(server: LeadscoreServer) -> None:
    leads = [random_lead(random.Random(5000 + seed)) for seed in range(500)]
    response = post(server, "/score/batch", {"leads": leads})
    assert response.status_code == 200, response.text
    scores = response.json()["scores"]
    assert len(scores) == len(leads)
    for lead, scored in zip(leads[:60], scores, strict=False):
        assert scored == post(server, "/score", lead).json()


def test_batch_takes_ten_thousand_leads_and_refuses_more(server: LeadscoreServer) -> None:
    rng = random.Random(7)
    leads = [random_lead(rng) for _ in range(10_000)]
    accepted = post(server, "/score/batch", {"leads": leads})
    assert accepted.status_code == 200 and len(accepted.json()["scores"]) == 10_000
    refused = post(server, "/score/batch", {"leads": [*leads, EXAMPLE]})
    assert refused.status_code == 422
    (error,) = refused.json()["detail"]
    assert (error["type"], error["loc"]) == ("too_long", ["body", "leads"])


def test_batch_errors_name_the_lead_and_field(server: LeadscoreServer) -> None:
    leads = [EXAMPLE, {**EXAMPLE, "page_views": -1}, EXAMPLE, {**EXAMPLE, "channel": 3}]
    response = post(server, "/score/batch", {"leads": leads})
    assert response.status_code == 422
    locs = [error["loc"] for error in response.json()["detail"]]
    assert locs == [["body", "leads", 1, "page_views"], ["body", "leads", 3, "channel"]]


def test_unknown_fields_are_ignored_like_fastapi(server: LeadscoreServer) -> None:
    extra = {**EXAMPLE, "email": "a@example.com", "utm": {"source": ["x", 1, None]}}
    assert post(server, "/score", extra).json() == post(server, "/score", EXAMPLE).json()


# --- invalid input: the seed's FastAPI design is the reference ------------------------------
# (Every coercion and its errors, case by case, lax and strict: test_serve_input_modes.py.)

INVALID_BODIES = {
    "missing field": {k: v for k, v in EXAMPLE.items() if k != "page_views"},
    "fraction string for int": {**EXAMPLE, "sessions": "5.5"},
    "fractional float for int": {**EXAMPLE, "sessions": 5.5},
    "int 2 for bool": {**EXAMPLE, "is_first_visit": 2},
    "unknown word for bool": {**EXAMPLE, "is_first_visit": "maybe"},
    "null channel": {**EXAMPLE, "channel": None},
    "negative count": {**EXAMPLE, "page_views": -3},
    "engaged above sessions": {**EXAMPLE, "engaged_sessions": 6},
    "absurd count": {**EXAMPLE, "page_views": MAX_COUNT + 1},
    "beyond int64": {**EXAMPLE, "page_views": 10**30},
    "channel of 65 characters": {**EXAMPLE, "channel": "x" * 65},
    "not an object": [EXAMPLE],
    "several problems": {"sessions": -1, "engaged_sessions": "a", "channel": 5},
}


@pytest.mark.parametrize("case", sorted(INVALID_BODIES))
def test_invalid_input_gets_the_same_422_as_the_fastapi_seed(
    server: LeadscoreServer, reference: str, case: str
) -> None:
    body = INVALID_BODIES[case]
    ours = post(server, "/score", body)
    theirs = requests.post(f"{reference}/score", json=body, timeout=10)
    assert theirs.status_code == 422, theirs.text
    assert ours.status_code == 422, ours.text
    # The same errors; their order follows field declaration order, which is the feature
    # spec's in leadscore and the contract example's in the seed's model.
    summary = sorted((e["type"], e["loc"], e["msg"]) for e in ours.json()["detail"])
    assert summary == sorted((e["type"], e["loc"], e["msg"]) for e in theirs.json()["detail"])


@pytest.mark.parametrize(
    "raw", [b"{", b'{"sessions": 5,}', b"nul", b'{"a": "\xff"}', b'{"sessions": 5} x']
)
def test_malformed_json_is_a_422_json_invalid(server: LeadscoreServer, raw: bytes) -> None:
    response = requests.post(
        f"{server.url}/score", data=raw, timeout=10, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["type"] == "json_invalid" and error["loc"][0] == "body"


def test_empty_body_is_a_missing_body_like_fastapi(server: LeadscoreServer, reference: str) -> None:
    headers = {"Content-Type": "application/json"}
    ours = requests.post(f"{server.url}/score", data=b"", headers=headers, timeout=10)
    theirs = requests.post(f"{reference}/score", data=b"", headers=headers, timeout=10)
    assert ours.status_code == theirs.status_code == 422
    assert ours.json() == theirs.json()


def test_oversized_bodies_are_413(server: LeadscoreServer) -> None:
    big = {**EXAMPLE, "padding": "x" * (64 * 1024)}
    assert post(server, "/score", big).status_code == 413
    huge = {"leads": [EXAMPLE], "padding": "x" * (8 * 1024 * 1024)}
    assert post(server, "/score/batch", huge).status_code == 413
    assert post(server, "/score", EXAMPLE).status_code == 200  # and the server is fine


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type_is_415(server: LeadscoreServer, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = requests.post(
        f"{server.url}/score", data=json.dumps(EXAMPLE).encode(), headers=headers, timeout=10
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_json_with_charset_is_accepted(server: LeadscoreServer) -> None:
    response = requests.post(
        f"{server.url}/score",
        data=json.dumps(EXAMPLE).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        timeout=10,
    )
    assert response.status_code == 200


def test_unknown_route_is_404_and_wrong_method_405(server: LeadscoreServer) -> None:
    missing = requests.get(f"{server.url}/nope", timeout=10)
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    wrong = requests.get(f"{server.url}/score", timeout=10)
    assert wrong.status_code == 405 and wrong.json() == {"detail": "Method Not Allowed"}
    assert wrong.headers["allow"] == "POST"
    assert requests.post(f"{server.url}/health", timeout=10).status_code == 405


def test_bad_explain_parameter_is_a_422(server: LeadscoreServer) -> None:
    response = requests.post(f"{server.url}/score?explain=maybe", json=EXAMPLE, timeout=10)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "explain"]


# --- operations endpoints -------------------------------------------------------------------


def test_health_ready_and_model(server: LeadscoreServer, models: dict[str, Path]) -> None:
    assert requests.get(f"{server.url}/health", timeout=10).json() == {"status": "ok"}
    ready = requests.get(f"{server.url}/ready", timeout=10)
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "model_version": version_of(models["channel"])}
    info = requests.get(f"{server.url}/model", timeout=10).json()
    attributes = json.loads(models["channel"].read_text())["learner"]["attributes"]
    assert info["model_version"] == attributes["model_version"]
    assert info["feature_set"] == "base+channel"
    assert [f["name"] for f in info["features"]] == [
        "sessions",
        "engaged_sessions",
        "page_views",
        "is_first_visit",
        "channel",
    ]
    assert info["threshold"] == 0.8
    assert info["trained_at"] == attributes["trained_at"]
    assert info["metrics"]["auc"] == pytest.approx(json.loads(attributes["metrics"])["auc"])
    assert 0.6 < info["metrics"]["auc"] < 0.9
    assert info["calibration"] == "isotonic"
    assert [grade["grade"] for grade in info["grades"]] == ["A", "B", "C", "D"]
    assert info["alert"] == {
        "threshold": 0.8,
        "threshold_source": "model",
        "rule": "grade A, or score > threshold",
    }


def metric(text: str, name: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith((name + " ", name + "{"))
    )


def test_metrics_count_requests_scores_and_the_model(
    server: LeadscoreServer, models: dict[str, Path]
) -> None:
    before = requests.get(f"{server.url}/metrics", timeout=10).text
    for _ in range(25):
        post(server, "/score", EXAMPLE)
    post(server, "/score", {**EXAMPLE, "sessions": -1})
    response = requests.get(f"{server.url}/metrics", timeout=10)
    assert response.headers["content-type"].startswith("text/plain")
    after = response.text
    ok = 'leadscore_http_requests_total{route="/score",status="200"}'
    bad = 'leadscore_http_requests_total{route="/score",status="422"}'
    assert metric(after, ok) - metric(before, ok) == 25
    assert metric(after, bad) - metric(before, bad) == 1
    assert metric(after, "leadscore_score_count") - metric(before, "leadscore_score_count") == 25
    assert "leadscore_high_labels_total" in after
    assert 'leadscore_http_request_duration_seconds_bucket{route="/score",le="+Inf"}' in after
    assert (
        f'leadscore_model_info{{model_version="{version_of(models["channel"])}",'
        f'feature_set="base+channel"}} 1'
    ) in after


def test_openapi_is_3_1_and_describes_the_routes(server: LeadscoreServer) -> None:
    doc = requests.get(f"{server.url}/openapi.json", timeout=10).json()
    assert doc["openapi"].startswith("3.1")
    assert {
        "/score",
        "/score/batch",
        "/health",
        "/ready",
        "/model",
        "/model/drift",
        "/metrics",
        "/admin/reload",
    } <= set(doc["paths"])
    lead = doc["components"]["schemas"]["Lead"]
    assert sorted(lead["required"]) == sorted(EXAMPLE)
    assert lead["properties"]["sessions"]["maximum"] == MAX_COUNT


def test_docs_are_swagger_ui_served_locally(server: LeadscoreServer) -> None:
    page = requests.get(f"{server.url}/docs", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/openapi.json" in page.text and "https://" not in page.text
    for asset, kind in [("swagger-ui-bundle.js", "javascript"), ("swagger-ui.css", "text/css")]:
        assert f"/docs/{asset}" in page.text
        response = requests.get(f"{server.url}/docs/{asset}", timeout=10)
        assert response.status_code == 200 and kind in response.headers["content-type"]
        assert len(response.content) > 10_000


def test_no_cors_headers_unless_configured(server: LeadscoreServer) -> None:
    response = requests.post(
        f"{server.url}/score", json=EXAMPLE, timeout=10, headers={"Origin": "https://evil.example"}
    )
    assert not any(h.lower().startswith("access-control-") for h in response.headers)


# --- security -------------------------------------------------------------------------------


def test_api_key_guards_scoring_only(models: dict[str, Path], tmp_path: Path) -> None:
    key = "s3cret-key-for-tests"
    with leadscore_server(
        tmp_path, "--model", str(models["channel"]), env={"LEADSCORE_API_KEY": key}
    ) as guarded:
        for path, body in [("/score", EXAMPLE), ("/score/batch", {"leads": [EXAMPLE]})]:
            assert requests.post(f"{guarded.url}{path}", json=body, timeout=10).status_code == 401
            wrong = requests.post(
                f"{guarded.url}{path}", json=body, timeout=10, headers={"X-API-Key": key[:-1] + "X"}
            )
            assert wrong.status_code == 401 and "X-API-Key" in wrong.json()["detail"]
            right = requests.post(
                f"{guarded.url}{path}", json=body, timeout=30, headers={"X-API-Key": key}
            )
            assert right.status_code == 200, right.text
        for path in ["/health", "/ready", "/docs", "/openapi.json", "/model", "/metrics"]:
            assert requests.get(f"{guarded.url}{path}", timeout=10).status_code == 200, path
        doc = requests.get(f"{guarded.url}/openapi.json", timeout=10).json()
        assert doc["components"]["securitySchemes"]["ApiKey"]["name"] == "X-API-Key"
        # On loopback with no admin key, /admin is this machine's: open.
        assert requests.post(f"{guarded.url}/admin/reload", timeout=30).status_code == 200


def test_admin_takes_its_own_key_never_the_scoring_key(
    models: dict[str, Path], tmp_path: Path
) -> None:
    keys = {"LEADSCORE_API_KEY": "score-key", "LEADSCORE_ADMIN_KEY": "admin-key"}
    with leadscore_server(tmp_path, "--model", str(models["channel"]), env=keys) as server:
        reload_url = f"{server.url}/admin/reload"
        assert requests.post(reload_url, timeout=10).status_code == 401
        with_scoring_key = requests.post(reload_url, timeout=10, headers={"X-API-Key": "score-key"})
        assert with_scoring_key.status_code == 401
        assert "X-Admin-Key" in with_scoring_key.json()["detail"]
        assert with_scoring_key.headers["WWW-Authenticate"] == 'ApiKey header="X-Admin-Key"'
        misused = requests.post(reload_url, timeout=10, headers={"X-Admin-Key": "score-key"})
        assert misused.status_code == 401
        right = requests.post(reload_url, timeout=30, headers={"X-Admin-Key": "admin-key"})
        assert right.status_code == 200, right.text
        # The admin key does not score either.
        assert (
            requests.post(
                f"{server.url}/score", json=EXAMPLE, timeout=10, headers={"X-API-Key": "admin-key"}
            ).status_code
            == 401
        )
        doc = requests.get(f"{server.url}/openapi.json", timeout=10).json()
        assert doc["components"]["securitySchemes"]["AdminKey"]["name"] == "X-Admin-Key"
        assert doc["paths"]["/admin/reload"]["post"]["security"] == [{"AdminKey": []}]


def test_beyond_loopback_without_a_scoring_key_refuses_to_start(
    models: dict[str, Path], tmp_path: Path
) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("LEADSCORE_API_KEY", "LEADSCORE_ADMIN_KEY")
    }
    result = subprocess.run(
        [
            str(BINARY),
            "serve",
            "--model",
            str(models["channel"]),
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert (
        "--host 0.0.0.0 is reachable from other machines, and LEADSCORE_API_KEY is not set"
        in message
    )
    assert "--allow-unauthenticated" in message
    assert "leadscore serve: model version" not in message  # it never listened


def test_beyond_loopback_admin_is_closed_without_its_key(
    models: dict[str, Path], tmp_path: Path
) -> None:
    with leadscore_server(
        tmp_path,
        "--model",
        str(models["channel"]),
        "--host",
        "0.0.0.0",
        env={"LEADSCORE_API_KEY": "score-key"},
    ) as server:
        closed = requests.post(
            f"{server.url}/admin/reload", timeout=10, headers={"X-API-Key": "score-key"}
        )
        assert closed.status_code == 403
        assert "LEADSCORE_ADMIN_KEY" in closed.json()["detail"]
        assert "SIGHUP" in closed.json()["detail"]
        doc = requests.get(f"{server.url}/openapi.json", timeout=10).json()
        assert "403" in doc["paths"]["/admin/reload"]["post"]["responses"]
        assert (
            requests.post(
                f"{server.url}/score", json=EXAMPLE, timeout=10, headers={"X-API-Key": "score-key"}
            ).status_code
            == 200
        )


def test_allow_unauthenticated_starts_beyond_loopback_with_a_warning(
    models: dict[str, Path], tmp_path: Path
) -> None:
    env = {"LEADSCORE_API_KEY": "", "LEADSCORE_ADMIN_KEY": ""}
    with leadscore_server(
        tmp_path,
        "--model",
        str(models["channel"]),
        "--host",
        "0.0.0.0",
        "--allow-unauthenticated",
        env=env,
    ) as server:
        assert requests.post(f"{server.url}/score", json=EXAMPLE, timeout=10).status_code == 200
        assert requests.post(f"{server.url}/admin/reload", timeout=10).status_code == 403
        assert "--allow-unauthenticated: /score on 0.0.0.0 answers anyone" in server.log_text()


def test_binds_to_loopback_by_default(server: LeadscoreServer) -> None:
    listening = subprocess.run(["ss", "-Hltnp"], capture_output=True, text=True, check=False).stdout
    lines = [line for line in listening.splitlines() if f":{server.port} " in line]
    assert lines and all("127.0.0.1:" in line for line in lines), listening


# --- reload and shutdown --------------------------------------------------------------------


def current_version(server: LeadscoreServer) -> str:
    return post(server, "/score", EXAMPLE).json()["model_version"]


def test_reload_swaps_the_model_and_a_bad_file_keeps_the_old(
    models: dict[str, Path], tmp_path: Path
) -> None:
    live = tmp_path / "model.json"
    shutil.copy(models["channel"], live)
    with leadscore_server(tmp_path, "--model", str(live)) as running:
        assert current_version(running) == version_of(models["channel"])
        shutil.copy(models["base"], live)
        reloaded = requests.post(f"{running.url}/admin/reload", timeout=30)
        assert reloaded.status_code == 200, reloaded.text
        assert reloaded.json() == {
            "status": "reloaded",
            "model_version": version_of(models["base"]),
            "previous_model_version": version_of(models["channel"]),
        }
        assert current_version(running) == version_of(models["base"])

        shutil.copy(models["corrupt"], live)
        failed = requests.post(f"{running.url}/admin/reload", timeout=30)
        assert failed.status_code == 500
        assert version_of(models["base"]) in failed.json()["detail"]
        assert current_version(running) == version_of(models["base"])
        assert requests.get(f"{running.url}/ready", timeout=10).status_code == 200

        shutil.copy(models["channel"], live)
        running.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while current_version(running) != version_of(models["channel"]):
            assert time.monotonic() < deadline, "SIGHUP did not reload the model"
            time.sleep(0.05)
        assert running.stop() == 0


def test_reload_storm_loses_no_request(models: dict[str, Path], tmp_path: Path) -> None:
    """10,000 requests while the model is reloaded 50 times, every fifth time from a corrupt
    file: no request fails, and every answer comes from one of the two models."""
    live = tmp_path / "model.json"
    shutil.copy(models["channel"], live)
    versions = {version_of(models["channel"]), version_of(models["base"])}
    with leadscore_server(tmp_path, "--model", str(live)) as running:
        failures: list[str] = []
        seen: set[str] = set()
        lock = threading.Lock()

        def client(worker: int) -> None:
            session = requests.Session()
            rng = random.Random(worker)
            for _ in range(1250):
                response = session.post(f"{running.url}/score", json=random_lead(rng), timeout=30)
                with lock:
                    if response.status_code != 200:
                        failures.append(f"{response.status_code} {response.text}")
                    else:
                        seen.add(response.json()["model_version"])

        clients = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for thread in clients:
            thread.start()
        reload_results = []
        for i in range(50):
            source = models["corrupt"] if i % 5 == 4 else models["base" if i % 2 else "channel"]
            staged = tmp_path / "staged.json"
            shutil.copy(source, staged)
            staged.replace(live)  # atomically, as leadscore train/promote write it
            reload_results.append(
                requests.post(f"{running.url}/admin/reload", timeout=30).status_code
            )
            time.sleep(0.02)
        for thread in clients:
            thread.join()
        assert failures == []
        assert seen <= versions and len(seen) == 2
        assert reload_results.count(500) == 10 and reload_results.count(200) == 40
        assert running.stop() == 0


def test_sigterm_drains_in_flight_requests_and_exits_0(
    models: dict[str, Path], tmp_path: Path
) -> None:
    """Requests under way when SIGTERM arrives are answered in full; the process exits 0."""
    rng = random.Random(3)
    batch = {"leads": [random_lead(rng) for _ in range(10_000)]}
    with leadscore_server(tmp_path, "--model", str(models["channel"])) as running:
        results: list[tuple[int | str, float]] = []

        def client() -> None:
            try:
                status: int | str = requests.post(
                    f"{running.url}/score/batch?explain=true", json=batch, timeout=120
                ).status_code
            except requests.ConnectionError as error:
                status = f"failed: {error}"
            results.append((status, time.monotonic()))

        # As many clients as worker threads, so every connection is accepted at once (one
        # still waiting in the kernel's backlog when the listener closes is reset, never seen).
        clients = [threading.Thread(target=client) for _ in range(2)]
        for thread in clients:
            thread.start()
        time.sleep(0.3)  # the requests are being read or scored (each takes a while)
        signalled = time.monotonic()
        running.process.send_signal(signal.SIGTERM)
        for thread in clients:
            thread.join()
        assert running.process.wait(timeout=60) == 0
        statuses = [status for status, _ in results]
        assert all(status == 200 for status in statuses), statuses
        assert any(finished > signalled for _, finished in results), "nothing was in flight"
        assert "finishing in-flight requests" in running.log_text()


# --- start-up errors ------------------------------------------------------------------------


def test_missing_model_file_stops_with_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BINARY), "serve", "--model", str(tmp_path / "nope.json"), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert "nope.json" in result.stderr and "scripts/run" in result.stderr


def test_port_in_use_is_named(models: dict[str, Path], server: LeadscoreServer) -> None:
    result = subprocess.run(
        [str(BINARY), "serve", "--model", str(models["channel"]), "--port", str(server.port)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 1
    assert f"127.0.0.1:{server.port}" in result.stderr and "--port" in result.stderr


def test_serves_the_registry_champion(models: dict[str, Path], tmp_path: Path) -> None:
    from fixtures.mlflow_server import mlflow_server

    with mlflow_server(tmp_path / "mlflow") as tracking:
        run(
            str(BINARY),
            "train",
            "--data",
            str(models["features"]),
            "--features",
            "base",
            "--tracking-uri",
            tracking.url,
            "--model-out",
            str(tmp_path / "champion.json"),
        )
        with leadscore_server(
            tmp_path, "--model-uri", "models:/lead-scoring@champion", "--tracking-uri", tracking.url
        ) as running:
            assert current_version(running) == "1"
            info = requests.get(f"{running.url}/model", timeout=10).json()
            assert info["feature_set"] == "base"


def test_follow_serves_each_promoted_champion_without_failing_a_request(
    models: dict[str, Path], tmp_path: Path
) -> None:
    from fixtures.mlflow_server import mlflow_server

    with mlflow_server(tmp_path / "mlflow") as tracking:
        model_out = str(tmp_path / "champion.json")
        for feature_set in ("base", "base+channel"):  # versions 1 and 2
            run(
                str(BINARY),
                "train",
                "--data",
                str(models["features"]),
                "--features",
                feature_set,
                "--tracking-uri",
                tracking.url,
                "--model-out",
                model_out,
            )
        run(str(BINARY), "promote", "2", "--tracking-uri", tracking.url, "--model-out", model_out)
        with leadscore_server(
            tmp_path,
            "--model-uri",
            "models:/lead-scoring@champion",
            "--tracking-uri",
            tracking.url,
            "--follow",
            "1",
        ) as running:
            assert current_version(running) == "2"
            failures: list[str] = []
            stop = threading.Event()

            def constant_load() -> None:
                with requests.Session() as session:
                    while not stop.is_set():
                        answer = session.post(f"{running.url}/score", json=EXAMPLE, timeout=10)
                        if answer.status_code != 200:
                            failures.append(f"{answer.status_code} {answer.text}")

            load = threading.Thread(target=constant_load)
            load.start()
            try:
                for version in ("1", "2"):  # a rollback, then forward again
                    run(
                        str(BINARY),
                        "promote",
                        version,
                        "--tracking-uri",
                        tracking.url,
                        "--model-out",
                        model_out,
                    )
                    deadline = time.monotonic() + 20
                    while current_version(running) != version and time.monotonic() < deadline:
                        time.sleep(0.1)
                    assert current_version(running) == version
            finally:
                stop.set()
                load.join()
            assert failures == []
            assert (
                "--follow: models:/lead-scoring@champion moved to version 1" in running.log_text()
            )


def test_follow_needs_an_alias(models: dict[str, Path], tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(BINARY),
            "serve",
            "--model",
            str(models["channel"]),
            "--follow",
            "5",
            "--port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode != 0
    assert "--follow needs --model-uri models:/<name>@<alias>" in result.stderr


def test_wait_until_up_helper_fails_fast_on_exit(tmp_path: Path) -> None:
    """The fixture itself: a server that cannot start is reported, not waited for."""
    log_file = tmp_path / "log"
    log_file.write_text("boom")
    process = subprocess.Popen(["false"], text=True)
    process.wait()
    with pytest.raises(RuntimeError, match="boom"):
        wait_until_up("http://127.0.0.1:1", process, log_file)


# --- batch scoring of the warehouse ---------------------------------------------------------


def test_score_warehouse_writes_lead_scores_like_the_engine(
    models: dict[str, Path], tmp_path: Path
) -> None:
    import duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(models["features"].parent / "warehouse.duckdb", warehouse)
    run(
        str(REPO / "scripts/score_warehouse"),
        "--warehouse",
        str(warehouse),
        "--model",
        str(models["channel"]),
    )
    # The engine on the two exported files: the training mart and the open leads (no label).
    engine = {}
    for features in (models["features"], models["features"].parent / "open_leads.csv"):
        run(
            str(BINARY),
            "score",
            "--model",
            str(models["channel"]),
            "--in",
            str(features),
            "--out",
            str(tmp_path / "engine.csv"),
        )
        with (tmp_path / "engine.csv").open(newline="") as handle:
            engine |= {row["lead_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT lead_id, score, label, model_version, is_open FROM main.lead_scores"
        ).fetchall()
        mart_rows, open_rows = con.execute(
            "SELECT (SELECT count(*) FROM main.fct_lead_scoring_features), "
            "(SELECT count(*) FROM main.fct_open_leads)"
        ).fetchone()
    assert len(rows) == mart_rows + open_rows == len(engine)
    assert sum(is_open for *_, is_open in rows) == open_rows > 0
    for lead_id, score, label, version, _ in rows:
        assert score == pytest.approx(engine[lead_id], abs=1e-9)
        assert label == ("high" if score > 0.8 else "low")
        assert version == version_of(models["channel"])


def test_score_warehouse_failure_keeps_the_old_table(
    models: dict[str, Path], tmp_path: Path
) -> None:
    import duckdb

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(models["features"].parent / "warehouse.duckdb", warehouse)
    run(
        str(REPO / "scripts/score_warehouse"),
        "--warehouse",
        str(warehouse),
        "--model",
        str(models["base"]),
    )
    failed = subprocess.run(
        [
            str(REPO / "scripts/score_warehouse"),
            "--warehouse",
            str(warehouse),
            "--model",
            str(models["corrupt"]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert failed.returncode == 1 and "corrupt.json" in failed.stderr
    with duckdb.connect(str(warehouse), read_only=True) as con:
        versions = con.execute("SELECT DISTINCT model_version FROM main.lead_scores").fetchall()
    assert versions == [(version_of(models["base"]),)]
