"""The disclosure engine's results kept between builds (in the project's .build/ folder).

A system (cells, atoms, values, sensitive and frozen masks, k) is identified by a hash of its
arrays. Its hiding pattern and witnesses are stored in one .npz file; a later build of the
same data loads them and re-checks every witness with `check` (sparse products, milliseconds)
before using them, so a stale or damaged file can only cost time, never protection: anything
that does not check is recomputed.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from generator.stats.protect import CellSystem, Certificates, check, protect

VERSION = b"ecoportal-protect-1"


def system_key(system: CellSystem, k: int) -> str:
    """A hash of everything the result depends on."""
    digest = hashlib.sha256(VERSION)
    a = system.incidence.tocsr()
    arrays = (a.indptr, a.indices, a.data, system.values, system.sensitive,
              system.frozen_hidden, system.frozen_visible,
              system.cost if system.cost is not None else np.zeros(0))
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"|")
    digest.update(str(k).encode())
    return digest.hexdigest()[:40]


def _load(path: Path) -> Certificates | None:
    try:
        with np.load(path) as data:
            deltas = sp.csr_matrix((data["d_data"], data["d_indices"], data["d_indptr"]),
                                   shape=tuple(data["d_shape"]))
            return Certificates(base=data["base"], hidden=data["hidden"].astype(bool),
                                deltas=deltas, low=data["low"], high=data["high"])
    except (OSError, KeyError, ValueError):
        return None


def _save(path: Path, certificates: Certificates) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    d = certificates.deltas.tocsr()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp.npz")
    np.savez(temporary, base=certificates.base, hidden=certificates.hidden, low=certificates.low,
             high=certificates.high, d_data=d.data, d_indices=d.indices, d_indptr=d.indptr,
             d_shape=np.array(d.shape))
    os.replace(temporary, path)


def protect_cached(system: CellSystem, k: int, folder: Path | None) -> np.ndarray:
    """The hiding pattern of `system`: from `folder` when a stored result still checks,
    otherwise computed (and stored)."""
    if folder is None:
        return np.asarray(protect(system, k).hidden, dtype=bool)
    path = folder / f"{system_key(system, k)}.npz"
    stored = _load(path) if path.exists() else None
    if stored is not None and stored.hidden.shape == system.values.shape \
            and not (system.sensitive & ~stored.hidden).any() \
            and not check(system, stored.hidden, k, stored):
        return np.asarray(stored.hidden, dtype=bool)
    result = protect(system, k)
    _save(path, result.certificates)
    return np.asarray(result.hidden, dtype=bool)
