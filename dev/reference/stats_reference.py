"""Expected values for stemgap-stats, computed once with trusted libraries.

    pip install statsmodels scipy numpy
    python3 dev/reference/stats_reference.py   # writes crates/stats/tests/fixtures/reference.json

The data are made up (a seeded generator); the JSON holds the inputs, the
expected outputs and the library versions. Re-run only when a case changes.
"""
import json
from pathlib import Path

import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats

rng = np.random.default_rng(20261122)
OUT = Path(__file__).resolve().parents[2] / "crates" / "stats" / "tests" / "fixtures" / "reference.json"


def ols_case(name, y, cols, weights=None):
    X = sm.add_constant(np.column_stack(cols))
    model = sm.WLS(y, X, weights=weights) if weights is not None else sm.OLS(y, X)
    case = {"name": name, "y": list(y), "x": [list(c) for c in cols], "weights": None if weights is None else list(weights)}
    classical = model.fit()
    case["coef"] = list(classical.params)
    case["r2"] = classical.rsquared
    case["adj_r2"] = classical.rsquared_adj
    case["df_resid"] = classical.df_resid
    case["se"] = {"classical": list(classical.bse)}
    case["ci95"] = {"classical": classical.conf_int(0.05).tolist()}
    case["p"] = {"classical": list(classical.pvalues)}
    for hc in ["HC0", "HC1", "HC2", "HC3"]:
        r = model.fit(cov_type=hc, use_t=True)  # t-based intervals, as stemgap reports
        case["se"][hc] = list(r.bse)
        case["ci95"][hc] = r.conf_int(0.05).tolist()
        case["p"][hc] = list(r.pvalues)
    return case


n = 60
x1 = rng.gamma(2.0, 10.0, n)
x2 = rng.normal(0, 1, n)
y = 3.0 + 0.4 * x1 - 1.5 * x2 + rng.normal(0, 1 + 0.05 * x1, n)  # heteroskedastic
w = rng.uniform(0.5, 3.0, n)
cases = [
    ols_case("two_regressors_heteroskedastic", y, [x1, x2]),
    ols_case("one_regressor", y, [x1]),
    ols_case("weighted", y, [x1, x2], weights=w),
]

# Log-log: log2(y) on log2(x), y positive.
xd = rng.uniform(5, 60, 45)
yd = np.exp(2.0 - 0.3 * np.log(xd) + rng.normal(0, 0.2, 45))
ll = ols_case("log2_log2", np.log2(yd), [np.log2(xd)])
ll["raw_x"] = list(xd)
ll["raw_y"] = list(yd)
cases.append(ll)

# Correlations, with ties for Spearman.
a = np.round(rng.normal(10, 3, 40), 0)
b = 0.6 * a + rng.normal(0, 2, 40)
pear = stats.pearsonr(a, b)
spear = stats.spearmanr(a, b)
z = np.arctanh(pear.statistic)
half = stats.norm.ppf(0.975) / np.sqrt(len(a) - 3)
corr = {
    "x": list(a), "y": list(b),
    "pearson": {"r": pear.statistic, "p": pear.pvalue, "ci95": [np.tanh(z - half), np.tanh(z + half)]},
    "spearman": {"rho": spear.statistic, "p": spear.pvalue,
                 "ci95": [np.tanh(np.arctanh(spear.statistic) - half), np.tanh(np.arctanh(spear.statistic) + half)]},
    "ranks_x": list(stats.rankdata(a)),
}

# Quantiles: numpy's default ("linear", Hyndman-Fan type 7).
q_data = rng.normal(50, 20, 37)
quant = {"x": list(q_data), "probs": [0.0, 0.1, 0.25, 0.5, 0.9, 0.975, 1.0],
         "type7": list(np.quantile(q_data, [0.0, 0.1, 0.25, 0.5, 0.9, 0.975, 1.0], method="linear"))}

# Paired comparison: seat minus neighbours' mean; ties and zeros included.
d = np.round(rng.normal(0.4, 1.5, 50), 1)
d[[3, 17]] = 0.0
tt = stats.ttest_1samp(d, 0.0)
ci = tt.confidence_interval(0.95)
wil = stats.wilcoxon(d, zero_method="wilcox", correction=False, method="approx")
paired = {"d": list(d), "mean": float(np.mean(d)), "t": tt.statistic, "p": tt.pvalue, "ci95": [ci.low, ci.high],
          "wilcoxon": {"statistic": float(wil.statistic), "p": float(wil.pvalue),
                       "settings": "zero_method='wilcox', correction=False, method='approx'"}}

# Moran's I on a 4 x 5 rook grid with a spatial trend (esda, libpysal).
import esda
import libpysal
grid = libpysal.weights.lat2W(4, 5, rook=True)
grid.transform = "r"
gy = np.array([i // 5 + (i % 5) * 0.5 for i in range(20)]) + rng.normal(0, 0.7, 20)
mi = esda.Moran(gy, grid, permutations=0)
ml = esda.Moran_Local(gy, grid, permutations=0)
moran = {"y": list(gy), "neighbours": [sorted(grid.neighbors[i]) for i in range(20)],
         "I": mi.I, "EI": mi.EI, "VI_norm": mi.VI_norm, "z_norm": mi.z_norm, "p_norm": mi.p_norm,
         "local_I": list(ml.Is), "quadrant": [int(q) for q in ml.q],
         "versions": {"esda": esda.__version__, "libpysal": libpysal.__version__}}

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "generated_by": "dev/reference/stats_reference.py",
    "versions": {"statsmodels": statsmodels.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
    "ols": cases,
    "correlation": corr,
    "quantile": quant,
    "paired": paired,
    "moran": moran,
}, indent=1))
print("wrote", OUT)
