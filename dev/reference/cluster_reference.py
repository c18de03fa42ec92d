"""Expected values for stemgap-stats' cluster-robust inference and FDR control.

How to run (from the repository root; R with clubSandwich for CR2):

    pip install statsmodels==0.15.0 scipy==1.17.1 numpy==2.4.6
    apt-get install r-cran-clubsandwich        # Debian: R and clubSandwich
    python3 dev/reference/cluster_reference.py
    # writes crates/stats/tests/fixtures/cluster_reference.json

The data are made up (numpy `default_rng(20261207)`); the JSON holds the
inputs and the expected outputs, so the Rust tests need neither Python nor
R. Versions are recorded in the file. Sources:

* cluster CR1: statsmodels OLS/WLS `cov_type="cluster"` (its default
  small-sample correction G/(G-1)·(n-1)/(n-k)) with `use_t=True`
  (t with G - 1 df).
* cluster CR2: R clubSandwich `vcovCR(type = "CR2")` on `lm`, and
  `coef_test(test = "Satterthwaite")` for the Bell-McCaffrey degrees of
  freedom and p-values.
* bh: statsmodels `multipletests(method="fdr_bh")`.
"""
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests

rng = np.random.default_rng(20261207)
OUT = Path(__file__).resolve().parents[2] / "crates" / "stats" / "tests" / "fixtures" / "cluster_reference.json"


def fl(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def make_case(name, n, g, unbalanced=False):
    if unbalanced:
        # A few big clusters and many small ones, like seats in authorities.
        sizes = np.maximum(1, rng.geometric(0.35, g))
        sizes[0] = 12
        cl = np.repeat(np.arange(g), sizes)[:n]
        n = len(cl)
    else:
        cl = np.repeat(np.arange(g), n // g)
        n = len(cl)
    effect = rng.normal(0, 1.0, g)
    x1 = rng.gamma(2.0, 2.0, n) + effect[cl] * 0.8  # regressor correlated within clusters
    x2 = rng.normal(0, 1, n)
    y = 1.0 + 0.5 * x1 - 0.7 * x2 + effect[cl] + rng.normal(0, 0.6, n)
    # Cluster labels as arbitrary integers (not 0..G-1, not sorted).
    labels = (cl * 37 + 11) % 1009
    return {"name": name, "y": fl(y), "x": [fl(x1), fl(x2)], "cluster": [int(v) for v in labels]}


def cr1(case, weights=None):
    X = sm.add_constant(np.column_stack(case["x"]))
    y = np.asarray(case["y"])
    model = sm.WLS(y, X, weights=weights) if weights is not None else sm.OLS(y, X)
    r = model.fit(cov_type="cluster", cov_kwds={"groups": np.asarray(case["cluster"])}, use_t=True)
    return {"coef": fl(r.params), "se": fl(r.bse), "p": fl(r.pvalues),
            "ci95": np.asarray(r.conf_int(0.05)).tolist(), "df": float(r.df_resid_inference)}


R_SCRIPT = r"""
suppressMessages(library(clubSandwich))
library(jsonlite)
args <- commandArgs(trailingOnly = TRUE)
cases <- fromJSON(args[1], simplifyVector = FALSE)
out <- lapply(cases, function(cs) {
  d <- data.frame(y = unlist(cs$y), x1 = unlist(cs$x[[1]]), x2 = unlist(cs$x[[2]]),
                  g = unlist(cs$cluster))
  fit <- lm(y ~ x1 + x2, data = d)
  v <- vcovCR(fit, cluster = d$g, type = "CR2")
  t <- coef_test(fit, vcov = v, test = "Satterthwaite")
  list(se = sqrt(diag(as.matrix(v))), df = t$df_Satt, p = t$p_Satt)
})
cat(toJSON(out, digits = NA, auto_unbox = FALSE))
"""


def cr2(cases):
    with tempfile.TemporaryDirectory() as tmp:
        inp = Path(tmp) / "cases.json"
        inp.write_text(json.dumps(cases))
        script = Path(tmp) / "cr2.R"
        script.write_text(R_SCRIPT)
        res = subprocess.run(["Rscript", str(script), str(inp)], check=True, capture_output=True, text=True)
        version = subprocess.run(["Rscript", "-e", "cat(as.character(packageVersion('clubSandwich')), R.version$major, R.version$minor)"],
                                 check=True, capture_output=True, text=True).stdout.split()
    return json.loads(res.stdout), {"clubSandwich": version[0], "R": f"{version[1]}.{version[2]}"}


cases = [make_case("balanced_40_clusters", 200, 40), make_case("unbalanced", 160, 60, unbalanced=True),
         make_case("few_clusters", 48, 6)]
weights = rng.uniform(0.5, 3.0, len(cases[0]["y"]))
expected_cr2, r_versions = cr2(cases)
for case, c2 in zip(cases, expected_cr2):
    case["cr1"] = cr1(case)
    case["cr2"] = {"se": fl(c2["se"]), "df": fl(c2["df"]), "p": fl(c2["p"])}
weighted = dict(cases[0])
weighted = {"name": "balanced_weighted", "y": cases[0]["y"], "x": cases[0]["x"],
            "cluster": cases[0]["cluster"], "weights": fl(weights), "cr1": cr1(cases[0], weights)}

p = rng.uniform(0, 1, 30) ** 3
p[[3, 9]] = p[[9, 3]]
bh = {"p": fl(p), "q": fl(multipletests(p, method="fdr_bh")[1])}

out = {
    "generated_by": "dev/reference/cluster_reference.py",
    "seed": 20261207,
    "versions": {"statsmodels": statsmodels.__version__, "scipy": scipy.__version__,
                 "numpy": np.__version__, **r_versions},
    "cluster": cases,
    "cluster_weighted": weighted,
    "bh": bh,
}
OUT.write_text(json.dumps(out, indent=1) + "\n")
print(f"wrote {OUT}")
