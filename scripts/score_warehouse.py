"""scripts/score_warehouse: batch-score the warehouse's leads into a `lead_scores` table.

Exports the leads of main.fct_lead_scoring_features (outcome known: the dashboards' and
calibration's rows) and of main.fct_open_leads (younger than the label horizon: the ones
sales can still act on) to a temporary CSV, scores them with `leadscore score`
(the same engine and model file the server uses), and replaces main.lead_scores in one
transaction: readers see the old table or the new one, never a half-written one, and a
failure leaves the old table as it was.

Table main.lead_scores: lead_id, score (calibrated), label ('high' iff score > the model's
threshold), raw_probability (the booster's, before calibration), model_version, scored_at,
is_open (the lead comes from fct_open_leads), model_test_auc (the held-out AUC the model
reported at training, from its booster attribute `metrics`: the promise realized accuracy
is compared with; NULL when the model has none), grade (A-D by the model's cut points; NULL
for a model trained before grades) and alert (grade A or score above the alert threshold,
LEADSCORE_ALERT_THRESHOLD, default the model's threshold). These rows are recorded scores for
the realized-accuracy marts (models/monitoring/); only the open leads' count there, since
the others were scored after their outcome was known.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
from warehouse.scoring_cli import add_scoring_arguments

MART = "main.fct_lead_scoring_features"
OPEN_LEADS = "main.fct_open_leads"

log = logging.getLogger("score_warehouse")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/score_warehouse",
        description="Score the warehouse's leads (the training mart and the open leads) "
        "into table main.lead_scores.",
    )
    add_scoring_arguments(parser, "Model file")
    return parser.parse_args(argv)


def model_test_auc(model: Path) -> float | None:
    """The test AUC in the model file's booster attributes (XGBoost JSON), or None."""
    try:
        attributes = json.loads(model.read_text())["learner"]["attributes"]
        auc = json.loads(attributes["metrics"])["auc"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return float(auc) if isinstance(auc, int | float) and math.isfinite(auc) else None


def score(args: argparse.Namespace) -> int:
    warehouse = Path(args.warehouse)
    if not warehouse.is_file():
        print(f"error: warehouse {warehouse} not found", file=sys.stderr)
        print("To fix: build it with scripts/load_duckdb (or scripts/run)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="leadscore-score-") as tmp:
        mart_csv = Path(tmp) / "mart.csv"
        scores_csv = Path(tmp) / "scores.csv"
        with duckdb.connect(str(warehouse)) as con:
            try:
                # The columns both marts have: the feature table's without the label (the dbt
                # models derive both from the spec), what `leadscore score` reads.
                trained, open_leads = (
                    [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
                    for table in (MART, OPEN_LEADS)
                )
                columns = ", ".join(f'"{c}"' for c in open_leads if c in trained)
                con.execute(
                    f"COPY (SELECT {columns} FROM {MART} UNION ALL "
                    f"SELECT {columns} FROM {OPEN_LEADS}) TO '{mart_csv}' "
                    "(HEADER, DELIMITER ',', TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')"
                )
            except duckdb.CatalogException:
                print(f"error: {warehouse} has no {MART} or {OPEN_LEADS}", file=sys.stderr)
                print("To fix: rebuild it with scripts/load_duckdb", file=sys.stderr)
                return 1
        result = subprocess.run(
            [args.binary, "score", "--model", args.model, "--in", str(mart_csv), "--out",
             str(scores_csv)],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            print(result.stderr.strip(), file=sys.stderr)
            return 1
        log.info("%s", result.stdout.strip())
        promised = model_test_auc(Path(args.model))
        with duckdb.connect(str(warehouse)) as con:
            con.execute("BEGIN TRANSACTION")
            con.execute(
                "CREATE OR REPLACE TABLE main.lead_scores AS SELECT lead_id, score, label, "
                "raw_probability, model_version, now()::TIMESTAMPTZ AS scored_at, "
                f"lead_id IN (SELECT lead_id FROM {OPEN_LEADS}) AS is_open, "
                "?::DOUBLE AS model_test_auc, nullif(grade, '') AS grade, alert FROM read_csv("
                "?, header = true, columns = {'lead_id': 'VARCHAR', 'score': 'DOUBLE', "
                "'label': 'VARCHAR', 'raw_probability': 'DOUBLE', 'model_version': 'VARCHAR', "
                "'grade': 'VARCHAR', 'alert': 'BOOLEAN'})",
                [promised, str(scores_csv)],
            )
            rows, open_rows = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE is_open) FROM main.lead_scores"
            ).fetchone()
            con.execute("COMMIT")
    print(f"scored {rows} leads ({open_rows} open) into main.lead_scores of {warehouse}")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="score_warehouse: %(message)s",
                        stream=sys.stderr)
    try:
        return score(parse_args(argv))
    except (OSError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        print("To fix: check that no other program holds the warehouse and that it is "
              "writable, then run again; the previous lead_scores table is unchanged.",
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
