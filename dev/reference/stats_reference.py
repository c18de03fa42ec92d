"""Expected values for stemgap-stats, computed with trusted libraries.

How to run (from the repository root):

    pip install statsmodels==0.15.0 scipy==1.17.1 numpy==2.4.6 esda==2.9.0 libpysal==4.14.1
    python3 dev/reference/stats_reference.py
    # writes crates/stats/tests/fixtures/reference.json

Versions used for the committed fixture: statsmodels 0.15.0, scipy 1.17.1,
numpy 2.4.6, esda 2.9.0, libpysal 4.14.1 (Python 3.11). They are recorded in the
JSON too ("versions").

The data are made up (numpy `default_rng(20260101)`); the JSON holds the
inputs AND the expected outputs, so the Rust tests need no Python. Re-run only
when a case changes. Sources of each expected value:

* ols:        statsmodels OLS / WLS, `cov_type="HC0".."HC3"` with `use_t=True`
              (t-based p-values and intervals with the residual df).
* log, per_doubling: numpy log / log2 after masking non-positive values, and
              statsmodels OLS of log2 y on log2 x.
* quantile:   numpy.quantile with methods `interpolated_inverted_cdf`,
              `hazen`, `weibull`, `linear`, `median_unbiased`,
              `normal_unbiased` (Hyndman-Fan types 4-9).
* weighted_groups: an independent numpy implementation of the documented
              cumulative-weight midpoint rule.
* bootstrap:  the point estimates from numpy; scipy.stats.bootstrap
              (percentile, 100 000 resamples) as a loose Monte-Carlo check.
* correlation: scipy pearsonr / spearmanr; Fisher-z intervals with
              scipy.stats.norm.
* paired:     scipy ttest_1samp (+ confidence_interval) and scipy wilcoxon
              with zero_method="wilcox", method="approx", correction False and
              True; neighbour means from libpysal lag_spatial.
* moran:      esda.Moran / esda.Moran_Local (deterministic parts only: I, EI,
              VI_norm, z_norm, p_norm, VI_rand, z_rand, p_rand, local Is,
              quadrants; esda's own seeded p_sim and cluster labels, to check
              the labelling rule given the same p-values).
"""
import json
import warnings
from pathlib import Path

import esda
import libpysal
import numpy as np
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats

warnings.filterwarnings("ignore")

rng = np.random.default_rng(20260101)
OUT = Path(__file__).resolve().parents[2] / "crates" / "stats" / "tests" / "fixtures" / "reference.json"


def fl(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


# --------------------------------------------------------------------------- OLS
def ols_case(name, y, cols, weights=None, intercept=True):
    X = np.column_stack(cols)
    if intercept:
        X = sm.add_constant(X, has_constant="add")
    model = sm.WLS(y, X, weights=weights) if weights is not None else sm.OLS(y, X)
    case = {"name": name, "y": fl(y), "x": [fl(c) for c in cols], "intercept": intercept,
            "weights": None if weights is None else fl(weights)}
    classical = model.fit()
    case["coef"] = fl(classical.params)
    case["r2"] = float(classical.rsquared)
    case["adj_r2"] = float(classical.rsquared_adj)
    case["df_resid"] = float(classical.df_resid)
    case["n"] = int(classical.nobs)
    case["se"], case["t"], case["p"], case["ci95"], case["ci90"] = {}, {}, {}, {}, {}
    for key, kw in [("classical", {}), ("HC0", {"cov_type": "HC0"}), ("HC1", {"cov_type": "HC1"}),
                    ("HC2", {"cov_type": "HC2"}), ("HC3", {"cov_type": "HC3"})]:
        r = model.fit(use_t=True, **kw)
        case["se"][key] = fl(r.bse)
        case["t"][key] = fl(r.tvalues)
        case["p"][key] = fl(r.pvalues)
        case["ci95"][key] = np.asarray(r.conf_int(0.05)).tolist()
        case["ci90"][key] = np.asarray(r.conf_int(0.10)).tolist()
    return case


n = 60
x1 = rng.gamma(2.0, 10.0, n)
x2 = rng.normal(0, 1, n)
y = 3.0 + 0.4 * x1 - 1.5 * x2 + rng.normal(0, 1 + 0.05 * x1, n)  # heteroskedastic
w = rng.uniform(0.5, 3.0, n)
# A high-leverage point makes HC2 and HC3 differ visibly from HC0.
x1l, yl = x1.copy(), y.copy()
x1l[7], yl[7] = 140.0, 30.0
ols_cases = [
    ols_case("two_regressors_heteroskedastic", y, [x1, x2]),
    ols_case("one_regressor", y, [x1]),
    ols_case("weighted", y, [x1, x2], weights=w),
    ols_case("no_intercept", y, [x1, x2], intercept=False),
    ols_case("high_leverage", yl, [x1l]),
]

# ------------------------------------------------------------- log transforms
# x with a zero and a negative value, y with a zero: those pairs are excluded.
m = 45
xd = rng.uniform(5, 60, m)
yd = np.exp(2.0 - 0.3 * np.log(xd) + rng.normal(0, 0.2, m))
xd[[4, 30]] = [0.0, -3.0]
yd[11] = 0.0
keep = (xd > 0) & (yd > 0)
ll = ols_case("log2_log2", np.log2(yd[keep]), [np.log2(xd[keep])])
per_doubling = {
    "x": fl(xd), "y": fl(yd),
    "excluded": [int(i) for i in np.flatnonzero(~keep)],
    "fit": ll,
    "log_x": fl(np.log(xd[xd > 0])), "log2_x": fl(np.log2(xd[xd > 0])),
    "log_x_excluded": [int(i) for i in np.flatnonzero(~(xd > 0))],
}

# ----------------------------------------------------------------- quantiles
q_data = np.round(rng.normal(50, 20, 37), 0)  # rounded: ties
probs = [0.0, 0.01, 0.1, 0.25, 0.5, 0.6, 0.9, 0.975, 0.999, 1.0]
methods = {4: "interpolated_inverted_cdf", 5: "hazen", 6: "weibull", 7: "linear",
           8: "median_unbiased", 9: "normal_unbiased"}
quantile = {"x": fl(q_data), "probs": probs,
            "types": {str(t): fl(np.quantile(q_data, probs, method=mth)) for t, mth in methods.items()},
            "small": {"x": [3.0, 1.0], "type7": fl(np.quantile([3.0, 1.0], probs, method="linear"))}}


# Weighted groups: the documented rule, implemented independently with numpy.
def midpoint_groups(weights, k):
    weights = np.asarray(weights, dtype=float)
    mid = np.cumsum(weights) - weights / 2.0
    return np.minimum(np.floor(k * mid / weights.sum()).astype(int) + 1, k)


gw = rng.integers(60_000, 120_000, 53).astype(float)
gv = np.round(rng.normal(20, 6, 53), 1)  # values with ties
order = np.lexsort((np.arange(53), gv))  # ascending value, ties by index
groups_sorted = {}
for k in (1, 5, 10):
    g = np.empty(53, dtype=int)
    g[order] = midpoint_groups(gw[order], k)
    groups_sorted[str(k)] = [int(v) for v in g]
weighted_groups = {"weights": fl(gw), "values": fl(gv),
                   "in_order": {str(k): [int(v) for v in midpoint_groups(gw, k)] for k in (1, 5, 10)},
                   "by_value": groups_sorted}

# ----------------------------------------------------------------- bootstrap
top = rng.gamma(4.0, 3.0, 130)
bottom = rng.gamma(3.0, 2.5, 130)
boot = {"a": fl(top), "b": fl(bottom),
        "ratio": float(np.mean(top) / np.mean(bottom)),
        "difference": float(np.mean(top) - np.mean(bottom))}
for name, fn in [("ratio", lambda a, b, axis: np.mean(a, axis=axis) / np.mean(b, axis=axis)),
                 ("difference", lambda a, b, axis: np.mean(a, axis=axis) - np.mean(b, axis=axis))]:
    r = stats.bootstrap((top, bottom), fn, paired=False, vectorized=True, n_resamples=100_000,
                        method="percentile", confidence_level=0.95, rng=np.random.default_rng(1))
    boot[name + "_scipy_percentile_ci95"] = [float(r.confidence_interval.low),
                                             float(r.confidence_interval.high)]
    boot[name + "_scipy_se"] = float(r.standard_error)

# --------------------------------------------------------------- correlation
a = np.round(rng.normal(10, 3, 40), 0)  # ties
b = 0.6 * a + rng.normal(0, 2, 40)
pear = stats.pearsonr(a, b)
spear = stats.spearmanr(a, b)


def fisher(r, nobs, level):
    half = stats.norm.ppf(0.5 + level / 2) / np.sqrt(nobs - 3)
    return [float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))]


correlation = {
    "x": fl(a), "y": fl(b),
    "pearson": {"r": float(pear.statistic), "p": float(pear.pvalue),
                "ci95": fisher(pear.statistic, len(a), 0.95), "ci90": fisher(pear.statistic, len(a), 0.90)},
    "spearman": {"rho": float(spear.statistic), "p": float(spear.pvalue),
                 "ci95": fisher(spear.statistic, len(a), 0.95), "ci90": fisher(spear.statistic, len(a), 0.90)},
    "ranks_x": fl(stats.rankdata(a)),
}

# ------------------------------------------------------------------ paired
d = np.round(rng.normal(0.4, 1.5, 50), 1)  # rounded: ties
d[[3, 17]] = 0.0  # zeros, dropped by zero_method="wilcox"
tt = stats.ttest_1samp(d, 0.0)
ci95, ci90 = tt.confidence_interval(0.95), tt.confidence_interval(0.90)
paired = {"d": fl(d), "mean": float(np.mean(d)), "sd": float(np.std(d, ddof=1)), "t": float(tt.statistic),
          "p": float(tt.pvalue), "ci95": [float(ci95.low), float(ci95.high)],
          "ci90": [float(ci90.low), float(ci90.high)]}
for corr in (False, True):
    wil = stats.wilcoxon(d, zero_method="wilcox", correction=corr, method="approx")
    paired["wilcoxon_correction_" + str(corr).lower()] = {
        "statistic": float(wil.statistic), "p": float(wil.pvalue), "z": float(wil.zstatistic),
        "settings": f"zero_method='wilcox', correction={corr}, method='approx'"}

# ------------------------------------------------------------------- Moran
def grid_neighbours(rows, cols):
    g = libpysal.weights.lat2W(rows, cols, rook=True)
    return [sorted(int(j) for j in g.neighbors[i]) for i in range(rows * cols)]


def moran_case(name, yv, nbrs, weights=None, seed=12345):
    ids = list(range(len(yv)))
    wdict = None if weights is None else {i: list(weights[i]) for i in ids}
    W = libpysal.weights.W({i: list(nbrs[i]) for i in ids}, wdict, ids=ids, silence_warnings=True)
    W.transform = "r"
    mi = esda.Moran(yv, W, permutations=0)
    ml = esda.Moran_Local(yv, W, permutations=999, seed=seed)
    return {"name": name, "y": fl(yv), "neighbours": [list(map(int, v)) for v in nbrs],
            "weights": None if weights is None else [fl(v) for v in weights],
            "islands": [int(i) for i in W.islands],
            "s0": float(W.s0), "s1": float(W.s1), "s2": float(W.s2),
            "I": float(mi.I), "EI": float(mi.EI), "VI_norm": float(mi.VI_norm), "z_norm": float(mi.z_norm),
            "p_norm": float(mi.p_norm), "VI_rand": float(mi.VI_rand), "z_rand": float(mi.z_rand),
            "p_rand": float(mi.p_rand),
            "lag": fl(libpysal.weights.lag_spatial(W, yv)),
            "local_I": fl(ml.Is), "quadrant": [int(q) for q in ml.q],
            "esda_p_sim": fl(ml.p_sim), "esda_labels_05": [str(s) for s in ml.get_cluster_labels(0.05)]}


grid = grid_neighbours(4, 5)
trend = np.array([i // 5 + (i % 5) * 0.5 for i in range(20)])
gy = trend + rng.normal(0, 0.7, 20)
island_nb = grid + [[]]  # unit 20 has no neighbours
iy = np.append(gy, 2.5)
# Asymmetric general weights on the same graph (e.g. shared-border lengths).
gwts = [list(rng.uniform(0.2, 3.0, len(v))) for v in grid]
noise = rng.normal(0, 1, 20)
moran = [
    moran_case("rook_4x5_trend", gy, grid),
    moran_case("rook_4x5_plus_island", iy, island_nb),
    moran_case("rook_4x5_weighted", gy, grid, weights=gwts),
    moran_case("rook_4x5_noise", noise, grid),
]

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "generated_by": "dev/reference/stats_reference.py",
    "seed": 20260101,
    "versions": {"statsmodels": statsmodels.__version__, "scipy": scipy.__version__,
                 "numpy": np.__version__, "esda": esda.__version__, "libpysal": libpysal.__version__},
    "ols": ols_cases,
    "per_doubling": per_doubling,
    "quantile": quantile,
    "weighted_groups": weighted_groups,
    "bootstrap": boot,
    "correlation": correlation,
    "paired": paired,
    "moran": moran,
}, separators=(",", ":")))
print("wrote", OUT, OUT.stat().st_size, "bytes")
