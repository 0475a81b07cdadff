"""Writes Tests/LensExplainTests/EmbeddingFixtures.swift: a PCA case checked against NumPy's SVD and
trustworthiness cases checked against scikit-learn's `trustworthiness`. Run with a Python that has
NumPy and scikit-learn (e.g. /work/peers-venv/bin/python scripts/make-embedding-fixtures.py)."""
import numpy as np
from sklearn.manifold import trustworthiness

rng = np.random.default_rng(20)

def swift(name, a):
    flat = ", ".join(f"{float(v):.9g}" for v in np.asarray(a, np.float64).ravel())
    return f"    static let {name}: [Float] = [{flat}]\n"

# PCA: 40 rows of 6 values with well separated variances along random directions
basis, _ = np.linalg.qr(rng.normal(size=(6, 6)))
x = (rng.normal(size=(40, 6)) * np.array([5.0, 3.0, 2.0, 1.0, 0.5, 0.2])) @ basis.T + 1.5
x = x.astype(np.float32)
centred = x.astype(np.float64) - x.mean(axis=0)
u, s, vt = np.linalg.svd(centred, full_matrices=False)
k = 3
# scikit-learn's svd_flip(u_based_decision=False): each component's largest |entry| positive
signs = np.sign(vt[np.arange(vt.shape[0]), np.argmax(np.abs(vt), axis=1)])
vt = vt * signs[:, None]
variance = s ** 2 / (x.shape[0] - 1)

# trustworthiness: 60 points of 5 values; a faithful-ish map (two coordinates plus noise) and a shuffled one
t = rng.normal(size=(60, 5)).astype(np.float32)
faithful = (t[:, :2] + 0.3 * rng.normal(size=(60, 2))).astype(np.float32)
shuffled = faithful[rng.permutation(60)]

out = ["// Made by scripts/make-embedding-fixtures.py (NumPy's SVD, scikit-learn's trustworthiness); do not edit.\n",
       "enum EmbeddingFixtures {\n",
       swift("pcaData", x), "    static let pcaShape = [40, 6]\n",
       swift("pcaComponents", vt[:k]), swift("pcaVariance", variance[:k]),
       swift("trustData", t), swift("trustFaithful", faithful), swift("trustShuffled", shuffled)]
for name, emb in [("Faithful", faithful), ("Shuffled", shuffled)]:
    for kk in (5, 12):
        out.append(f"    static let trust{name}K{kk}: Double = {trustworthiness(t, emb, n_neighbors=kk):.12g}\n")
out.append("}\n")
open("Tests/LensExplainTests/EmbeddingFixtures.swift", "w").write("".join(out))
