"""The reference for bench/train: Python xgboost (the seed's stack) on the same table.

Same data file, same parameters (the seed's six plus tree_method=hist, as leadscore train),
same thread count. Prints one JSON line: seconds to read the CSV, to fit, and in total.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
import xgboost

FEATURES = ["sessions", "engaged_sessions", "page_views", "is_first_visit"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--nthread", type=int, default=2)
    args = parser.parse_args()

    started = time.perf_counter()
    table = pd.read_csv(args.data)
    read = time.perf_counter()
    # The same share of rows as leadscore's trees see (64 %: 80 % minus a 20 % calibration slice).
    rng = np.random.default_rng(42)
    train_rows = rng.random(len(table)) < 0.64
    matrix = xgboost.DMatrix(table.loc[train_rows, FEATURES].to_numpy(np.float32),
                             label=table.loc[train_rows, "is_won"].to_numpy(np.float32))
    params = {"max_depth": 5, "eta": 0.1, "objective": "binary:logistic", "eval_metric": "auc",
              "seed": 42, "nthread": args.nthread, "tree_method": "hist"}
    fit_started = time.perf_counter()
    xgboost.train(params, matrix, num_boost_round=100)
    fitted = time.perf_counter()
    print(json.dumps({"read_s": read - started, "fit_s": fitted - fit_started,
                      "total_s": fitted - started, "train_rows": int(train_rows.sum())}))


if __name__ == "__main__":
    main()
