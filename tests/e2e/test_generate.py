"""End-to-end checks of `leadscore generate`: the real binary, real files."""

from __future__ import annotations

import csv
import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from fixtures.shared_data import OLIST_DIR

REPO = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("LEADSCORE_BIN", REPO / "build/release/apps/leadscore/leadscore"))
RAW_FILES = ("sessions.csv", "contacts.csv", "deals.csv", "truth.csv")


def generate(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BINARY), "generate", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def digests(directory: Path) -> dict[str, str]:
    return {name: hashlib.sha256((directory / name).read_bytes()).hexdigest() for name in RAW_FILES}


def data_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        result = generate("--seed", "7", "--rows", "20000", "--out", str(tmp_path / run))
        assert result.returncode == 0, result.stderr
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    assert len(data_rows(tmp_path / "a" / "contacts.csv")) == 20000


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    assert generate("--seed", "7", "--rows", "500", "--out", str(tmp_path / "a")).returncode == 0
    assert generate("--seed", "8", "--rows", "500", "--out", str(tmp_path / "b")).returncode == 0
    assert digests(tmp_path / "a")["sessions.csv"] != digests(tmp_path / "b")["sessions.csv"]


def test_olist_source_has_the_real_leads_and_outcomes(tmp_path: Path) -> None:
    result = generate("--source", "olist", "--olist-dir", str(OLIST_DIR), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    contacts = data_rows(tmp_path / "contacts.csv")
    deals = data_rows(tmp_path / "deals.csv")
    assert len(contacts) == 8000
    assert sum(deal["stage"] == "closedwon" for deal in deals) == 842
    # The real Olist id is the contact id; its first real lead is in the file.
    assert contacts[0]["contact_id"] == "dac32acd4db4c29c230538b72f8dd87d"
    assert contacts[0]["created_at"].startswith("2018-02-01 ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rows", "0"], "--rows must be a positive number of leads (got 0)"),
        (["--rows", "-3"], "--rows must be a positive number of leads (got -3)"),
        (["--source", "crm"], "unknown --source 'crm'; use synthetic or olist"),
        (["--source", "olist", "--olist-dir", "/nonexistent"],
         "Olist file /nonexistent/olist_marketing_qualified_leads_dataset.csv not found"),
    ],
)
def test_bad_arguments_fail_clearly_and_write_nothing(
    tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "raw"
    result = generate(*args, "--out", str(out))
    assert result.returncode == 1
    assert message in result.stderr
    assert not out.exists()


def test_unwritable_output_directory_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = generate("--rows", "10", "--out", str(blocker / "raw"))
    assert result.returncode == 1
    assert f"cannot create output directory {blocker / 'raw'}" in result.stderr
    assert "--out" in result.stderr


def test_failed_run_leaves_previous_output_intact(tmp_path: Path) -> None:
    assert generate("--rows", "300", "--out", str(tmp_path)).returncode == 0
    before = digests(tmp_path)
    assert generate("--rows", "300", "--source", "olist", "--olist-dir", "/nonexistent",
                    "--out", str(tmp_path)).returncode == 1
    assert digests(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(RAW_FILES)
