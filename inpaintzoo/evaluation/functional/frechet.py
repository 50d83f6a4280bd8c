"""Fréchet distance between two Gaussians (the FID formula)."""

import warnings

import numpy as np


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample covariance of a feature set.

    Args:
        features (np.ndarray): (N, D) features, N >= 2.

    Returns:
        tuple[np.ndarray, np.ndarray]: mean (D,) and covariance (D, D), float64.
    """
    feats = np.asarray(features, dtype=np.float64)
    if feats.ndim != 2 or feats.shape[0] < 2:
        raise ValueError(
            f'need an (N, D) feature array with N >= 2, got shape {feats.shape}'
        )
    return feats.mean(axis=0), np.cov(feats, rowvar=False)


def _sqrtm(mat: np.ndarray) -> np.ndarray:
    from scipy import linalg  # lazy: importing scipy adds a warnings filter

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return linalg.sqrtm(mat)


def frechet_distance(
    mu1: np.ndarray,
    sigma1: np.ndarray,
    mu2: np.ndarray,
    sigma2: np.ndarray,
    eps: float = 1e-6,
) -> float:
    """Fréchet distance ``|mu1 - mu2|² + Tr(S1 + S2 - 2 (S1 S2)^½)``.

    If the matrix square root of ``S1 S2`` is not finite (singular product),
    ``eps`` is added to both diagonals and the root is retried. A complex root
    whose diagonal has an imaginary part above 1e-3 raises ``ValueError``;
    smaller imaginary parts (numerical noise) are dropped.

    Args:
        mu1 (np.ndarray): (D,) mean of the first set.
        sigma1 (np.ndarray): (D, D) covariance of the first set.
        mu2 (np.ndarray): (D,) mean of the second set.
        sigma2 (np.ndarray): (D, D) covariance of the second set.
        eps (float): diagonal offset for singular products. Defaults to 1e-6.

    Returns:
        float: the distance (>= 0 up to rounding).
    """
    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2)
    sigma1 = np.atleast_2d(sigma1).astype(np.float64)
    sigma2 = np.atleast_2d(sigma2).astype(np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise ValueError(
            f'mismatched statistics: means {mu1.shape} vs {mu2.shape}, '
            f'covariances {sigma1.shape} vs {sigma2.shape}'
        )
    diff = mu1 - mu2
    covmean = _sqrtm(sigma1.dot(sigma2))
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = _sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        max_imag = np.max(np.abs(np.diagonal(covmean).imag))
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError(f'matrix square root has imaginary component {max_imag}')
        covmean = covmean.real
    return float(
        diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean)
    )
