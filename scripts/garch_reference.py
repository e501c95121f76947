#!/usr/bin/env python3
"""Reference GARCH(1,1) fits with the `arch` package, for the Swift tests and benchmark.

Usage: garch_reference.py RETURNS_FILE MEAN DIST [HORIZON]
  RETURNS_FILE  one return per line (text)
  MEAN          zero | constant
  DIST          normal | t
Prints JSON: params (mu, omega, alpha, beta, nu), classic standard errors, loglikelihood,
variance forecasts for h = 1..HORIZON from the end of the sample, fit seconds.
rescale=False: the returns are fitted in their own units, as the Swift model does.
"""
import json
import sys
import time
import warnings

import math

import numpy as np
from arch import arch_model


def finite(value):
    """The float, or None when it is NaN or infinite (JSON has no NaN)."""
    value = float(value)
    return value if math.isfinite(value) else None


def main() -> None:
    path, mean, dist = sys.argv[1], sys.argv[2], sys.argv[3]
    horizon = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    y = np.loadtxt(path, dtype=float)
    model = arch_model(
        y, mean={"zero": "Zero", "constant": "Constant"}[mean], vol="GARCH", p=1, q=1,
        dist={"normal": "normal", "t": "t"}[dist], rescale=False,
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(disp="off", tol=1e-12, options={"maxiter": 2000}, cov_type="classic")
    seconds = time.perf_counter() - started
    params = res.params
    out = {
        "mu": float(params.get("mu", 0.0)),
        "omega": float(params["omega"]),
        "alpha": float(params["alpha[1]"]),
        "beta": float(params["beta[1]"]),
        "nu": float(params["nu"]) if "nu" in params else None,
        "se": {k: finite(v) for k, v in res.std_err.items()},
        "loglikelihood": float(res.loglikelihood),
        "forecast": [float(v) for v in res.forecast(horizon=horizon, reindex=False).variance.values[-1]],
        "convergence": int(res.convergence_flag),
        "seconds": seconds,
    }
    print(json.dumps(out, allow_nan=False))


if __name__ == "__main__":
    main()
