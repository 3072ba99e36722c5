"""Sublinear TF-IDF and a linear model's probabilities, applied with scipy to
the one message a server reads at a time: what sklearn's fitted
TfidfTransformer(sublinear_tf=True) and multinomial LogisticRegression
compute, without the input checks and joblib dispatch around each call, which
cost several times the arithmetic. Both linear models here serve this way
(the intent classifier, components/tfidf_intent_classifier.py, and the risk
model's text model, safety/model.py); their tests compare it with sklearn."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.special import softmax
from sklearn.preprocessing import normalize


def sublinear_tfidf(
    counts: sp.csr_matrix, idf: sp.spmatrix, dtype: type[np.floating] = np.float64
) -> sp.csr_matrix:
    """(1 + log tf) * idf, each row scaled to unit length; `idf` is the fitted
    transformer's diagonal of weights."""
    weighted = counts.astype(dtype)  # a copy: the caller's counts stay as they are
    np.log(weighted.data, weighted.data)
    weighted.data += 1
    return normalize(weighted @ idf, norm="l2", copy=False)


def probabilities(
    features: sp.csr_matrix, coefficients: np.ndarray, intercept: np.ndarray
) -> np.ndarray:
    """Multinomial logistic regression; `coefficients` is the fitted `coef_`
    transposed (features x classes), C-ordered so that scipy reads it in place."""
    return np.asarray(softmax(features @ coefficients + intercept, axis=1))
