"""Expected values for stemgap-stats' spatial error model (`sem`), from PySAL spreg.

How to run (from the repository root):

    pip install spreg==1.9.0 libpysal==4.14.1 numpy==2.4.6 scipy==1.17.1
    python3 dev/reference/sem_reference.py
    # writes crates/stats/tests/fixtures/sem_reference.json

The data are made up (numpy `default_rng(20261208)`): y is drawn from a true
spatial error model y = X b + (I - lam W)^-1 e on

* `grid`: a 12 x 12 rook grid (n = 144, lam = 0.5, constant + 2 regressors);
* `irregular`: 60 random points in the unit square, each linked to its 4
  nearest neighbours and the links symmetrised (binary contiguity-like, no
  islands; lam = 0.3, constant + 3 regressors);
* `islands`: the same 60 points plus 3 units with no neighbours (all-zero
  rows of W, as libpysal keeps them; lam = -0.3, constant + 1 regressor).

The reference is spreg `ML_Error(y, x, w, method="full")` with its defaults
(bounded scalar minimisation of the concentrated log-likelihood on (-1, 1),
tolerance epsilon = 1e-7), W row-standardised (`w.transform = "r"`). For each
case the JSON holds the inputs (neighbour lists, y, x without the constant),
spreg's lambda, betas, sig2, std_err (sqrt of the diagonal of `vm`), z
statistics and p-values, log-likelihood, and -- to show how far spreg's
optimiser stops from the optimum -- lambda from the same fit with
epsilon = 1e-12 (`lambda_tight`). Versions are recorded in the file, so the
Rust tests need no Python.
"""
import json
import warnings
from pathlib import Path

import libpysal
import numpy as np
import scipy
import spreg
from libpysal.weights import W

rng = np.random.default_rng(20261208)
OUT = Path(__file__).resolve().parents[2] / "crates" / "stats" / "tests" / "fixtures" / "sem_reference.json"


def fl(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def rook(rows, cols):
    nb = []
    for r in range(rows):
        for c in range(cols):
            out = []
            for dr, dc in ((-1, 0), (0, -1), (0, 1), (1, 0)):
                rr, cc = r + dr, c + dc
                if 0 <= rr < rows and 0 <= cc < cols:
                    out.append(rr * cols + cc)
            nb.append(out)
    return nb


def knn_symmetric(pts, k):
    n = len(pts)
    d = np.linalg.norm(pts[:, None, :] - pts[None, :, :], axis=2)
    np.fill_diagonal(d, np.inf)
    sets = [set() for _ in range(n)]
    for i in range(n):
        for j in np.argsort(d[i])[:k]:
            sets[i].add(int(j))
            sets[int(j)].add(i)
    return [sorted(s) for s in sets]


def dense_w(nb):
    n = len(nb)
    m = np.zeros((n, n))
    for i, row in enumerate(nb):
        for j in row:
            m[i, j] = 1.0 / len(row)
    return m


def case(name, nb, lam, beta):
    n = len(nb)
    k = len(beta)
    x = rng.normal(size=(n, k - 1)) * np.array([1.0 + j for j in range(k - 1)])
    e = rng.normal(scale=0.8, size=n)
    u = np.linalg.solve(np.eye(n) - lam * dense_w(nb), e)
    y = 1.0 * beta[0] + x @ np.array(beta[1:]) + u
    w = W({i: row for i, row in enumerate(nb)}, silence_warnings=True)
    w.transform = "r"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = spreg.ML_Error(y.reshape(-1, 1), x, w, method="full")
        tight = spreg.ML_Error(y.reshape(-1, 1), x, w, method="full", epsilon=1e-12)
    z = [t for t, _ in m.z_stat]
    p = [q for _, q in m.z_stat]
    return {
        "name": name,
        "true_lambda": lam,
        "neighbours": nb,
        "y": fl(y),
        "x": [fl(x[:, j]) for j in range(k - 1)],
        "lambda": float(m.lam),
        "lambda_tight": float(tight.lam),
        # spreg's betas end with lambda; the Rust result keeps them apart.
        "beta": fl(m.betas[:-1]),
        "sigma2": float(np.asarray(m.sig2).ravel()[0]),
        "se_beta": fl(m.std_err[:-1]),
        "se_lambda": float(m.std_err[-1]),
        "z_beta": fl(z[:-1]),
        "z_lambda": float(z[-1]),
        "p_beta": fl(p[:-1]),
        "p_lambda": float(p[-1]),
        "log_likelihood": float(m.logll),
    }


cases = [case("grid", rook(12, 12), 0.5, [2.0, 1.5, -0.7])]
pts = rng.uniform(size=(60, 2))
nb60 = knn_symmetric(pts, 4)
cases.append(case("irregular", nb60, 0.3, [-1.0, 0.8, 0.0, 0.4]))
cases.append(case("islands", nb60 + [[], [], []], -0.3, [0.5, 1.2]))

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(
    json.dumps(
        {
            "generated_by": "dev/reference/sem_reference.py",
            "versions": {
                "spreg": spreg.__version__,
                "libpysal": libpysal.__version__,
                "numpy": np.__version__,
                "scipy": scipy.__version__,
            },
            "seed": 20261208,
            "cases": cases,
        },
        indent=1,
    )
    + "\n"
)
print(f"wrote {OUT}")
for c in cases:
    print(c["name"], c["lambda"], c["lambda_tight"], c["beta"], c["sigma2"], c["log_likelihood"])
