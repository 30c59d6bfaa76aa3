"""One rule for every simulated p-value of the package: the wild cluster bootstraps (few-cluster inference, the timing
checks), the randomization tests and the specification curve's joint test.

**The rule** (:func:`redrawn`). A p-value simulated from ``B`` draws has the Monte Carlo standard error
``√(p(1−p)/B)``. When it lies within two Monte Carlo SEs of 0.01, 0.05 or 0.10 (:data:`THRESHOLDS`), the verdict at that
level depends on the simulation, so it is computed again on a longer run of **the same stream**: the first ``B`` draws
and more, up to ``rerun_draws`` (the caller's ``p_of(B)`` must give the p of the first ``B`` draws of its stream, so
that the longer run extends the shorter one). If it is still that close, the threshold is kept as ``undecided``.

**How a p is counted** (:func:`simulated_p`, :func:`enumerated_p`): one rule for every simulated test. A draw is *at
least as extreme* as the observed statistic when ``stat* ≥ stat − tol`` with ``tol = 1e-9·max(1, |stat|)``
(:data:`TIE_TOLERANCE`): ties within rounding are counted, so that a statistic equal to the observed one in exact
arithmetic (the identity sign vector of a wild bootstrap and its mirror, a permutation that leaves TBI unchanged) counts
whatever the last bits of the floating-point sums. Drawn: ``p = (1 + k)/(1 + B)``, ``k`` the draws at least as extreme
(the observed statistic counts as one more draw). Enumerated (every admissible assignment, the observed one among them,
``M`` in all): ``p = k/M``, which is the same rule with ``B = M − 1`` other assignments; the p is exact.

**What can be shown** (:func:`format_p`). A simulated p cannot be below ``1/(1 + B)``. At that bound it is written ``< 0.0002 (B = 5,000)``, never ``0.000``; the CSVs keep the
exact value. A p from a complete enumeration of the admissible assignments is exact (no Monte Carlo error). A test
whose smallest attainable p exceeds the level it is read at cannot reject at that level: its exact p is kept, with the
reason (:func:`attainable`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


def stream_seed(seed: int, *names: str) -> np.random.SeedSequence:
    """The random stream of one simulation (a bootstrap, a randomization test, the joint test's draws): numpy's
    ``SeedSequence`` of the config seed, keyed by the names (cell, weight type, run). The key is the first 8 bytes of
    the SHA-256 of the names, so each cell and weight type has a stream of its own, independent of the others and of the
    order in which the cells are computed."""
    key = int.from_bytes(hashlib.sha256("\x1f".join(names).encode()).digest()[:8], "little")
    return np.random.SeedSequence(entropy=int(seed), spawn_key=(key,))


#: The significance levels near which a simulated p-value is drawn again, and flagged if still undecided.
THRESHOLDS = (0.01, 0.05, 0.10)
#: The level a randomization test is read at when asking whether it can reject at all (:func:`attainable`).
LEVEL = 0.05
#: Relative tolerance within which a simulated statistic ties with the observed one and counts as at least as extreme.
TIE_TOLERANCE = 1e-9


def at_least_as_extreme(stats: np.ndarray, observed: float, axis: int | None = None) -> np.ndarray:
    """How many of ``stats`` are at least as extreme as ``observed`` (``stat ≥ observed − 1e-9·max(1, |observed|)``; ties
    within rounding counted: module docstring), along ``axis`` (None: all)."""
    tol = TIE_TOLERANCE * max(1.0, abs(float(observed)))
    return np.sum(np.asarray(stats) >= float(observed) - tol, axis=axis)


def simulated_p(stats: np.ndarray, observed: float) -> float:
    """``(1 + k)/(1 + B)``: ``k`` of the ``B`` drawn ``stats`` at least as extreme as ``observed``."""
    stats = np.asarray(stats)
    return float((1 + at_least_as_extreme(stats, observed)) / (1 + stats.size))


def enumerated_p(stats: np.ndarray, observed: float) -> float:
    """``k/M``: ``k`` of the ``M`` enumerated ``stats`` (the observed assignment among them) at least as extreme as
    ``observed``."""
    stats = np.asarray(stats)
    return float(at_least_as_extreme(stats, observed) / stats.size)


def mc_se(p: float, draws: int) -> float:
    """Monte Carlo standard error of a simulated p-value, √(p(1−p)/B)."""
    return float(math.sqrt(p * (1 - p) / max(draws, 1))) if np.isfinite(p) else float("nan")


def near_threshold(p: float, draws: int) -> float:
    """The threshold of :data:`THRESHOLDS` that ``p`` lies within two Monte Carlo SEs of (the nearest), or nan."""
    if not np.isfinite(p):
        return float("nan")
    se = mc_se(p, draws)
    close = [t for t in THRESHOLDS if abs(p - t) <= 2 * se]
    return float(min(close, key=lambda t: abs(p - t))) if close else float("nan")


@dataclass(frozen=True)
class MonteCarloP:
    """A simulated (or exactly enumerated) p-value: its Monte Carlo SE, the draws it rests on, the threshold it is still
    within two Monte Carlo SEs of after the longer run (``undecided``; nan: decided), whether it was drawn again
    (``redrawn``), whether it is exact (every admissible assignment enumerated: no Monte Carlo error), and why it cannot
    reject at :data:`LEVEL` (``cannot_reject``: its smallest attainable p exceeds the level; "" when it can)."""

    pvalue: float
    mcse: float
    draws: int
    undecided: float = float("nan")
    redrawn: bool = False
    exact: bool = False
    cannot_reject: str = ""

    def columns(self, prefix: str) -> dict[str, object]:
        """``p_<prefix>, mcse_<prefix>, draws_<prefix>, undecided_<prefix>, exact_<prefix>, note_<prefix>`` (the few-cluster
        inference's columns; ``note``: why the test cannot reject at :data:`LEVEL`, "" when it can)."""
        return {
            f"p_{prefix}": self.pvalue, f"mcse_{prefix}": self.mcse, f"draws_{prefix}": self.draws, f"undecided_{prefix}": self.undecided,
            f"exact_{prefix}": self.exact, f"note_{prefix}": self.cannot_reject,
        }  # fmt: skip


def redrawn(p_of: Callable[[int], tuple[float, int]], draws: int, rerun_draws: int = 0) -> MonteCarloP:
    """The p-value on ``draws`` draws, and on ``rerun_draws`` draws of the same stream when it lies within two Monte Carlo
    SEs of a threshold (module docstring). ``p_of(B)`` returns ``(p, B_used)``: the p of the first ``B`` draws of the
    caller's stream and how many draws it rests on (fewer where some are undefined)."""
    p, used = p_of(draws)
    near = near_threshold(p, used)
    again = bool(np.isfinite(near) and rerun_draws > draws)
    if again:
        p, used = p_of(rerun_draws)
        near = near_threshold(p, used)
    return MonteCarloP(float(p), mc_se(p, used), int(used), near, again)


def exact(p: float, assignments: int, cannot_reject: str = "") -> MonteCarloP:
    """A p-value from every admissible assignment: no Monte Carlo error. ``cannot_reject``: why the test cannot reject
    at :data:`LEVEL` (:func:`attainable`), kept beside the p."""
    return MonteCarloP(float(p), 0.0, int(assignments), exact=True, cannot_reject=cannot_reject)


def attainable(assignments: int, level: float = LEVEL, at_least: int = 1, what: str = "admissible assignment") -> str:
    """Why a randomization test with ``assignments`` admissible assignments (the observed one among them) cannot reject
    at ``level`` — its smallest attainable p, ``at_least/assignments``, exceeds the level — or "" when it can.
    ``at_least``: how many assignments always tie with the observed one (1: itself; 2 for a wild bootstrap's
    enumerated Rademacher signs: the identity and its mirror)."""
    smallest = at_least / assignments
    if smallest > level:
        return (f"only {assignments} {what}{'s' if assignments != 1 else ''}: the smallest attainable p is "
                f"{at_least}/{assignments} = {smallest:.4g} > {level:g}, so the test cannot reject at {level:g}")  # fmt: skip
    return ""


def minimum_p(draws: int) -> float:
    """The smallest simulated p-value ``(1 + 0)/(1 + B)``."""
    return 1.0 / (draws + 1)


def _round_up(x: float, digits: int = 1) -> float:
    """``x`` rounded up to ``digits`` significant digits."""
    if x <= 0:
        return 0.0
    scale = 10 ** (digits - 1 - math.floor(math.log10(x)))
    return math.ceil(x * scale - 1e-9) / scale


def format_p(p: float, draws: int | None = None, mcse: float | None = None, *, exact_p: bool = False) -> str:
    """A simulated p for the report (module docstring): ``0.043 (MC SE 0.002, B = 9,999)``; ``0.0004 (MC SE 0.0003, B =
    5,000)`` below 0.001; ``< 0.0002 (B = 5,000)`` at its attainable minimum; ``0.500 (exact, 2 assignments)`` when
    enumerated; ``–`` when undefined."""
    if p is None or not np.isfinite(p):
        return "–"
    if exact_p:
        return f"{p:.3f} (exact, {draws:,} assignments)" if draws else f"{p:.3f} (exact)"
    if draws is not None and draws > 0 and p <= minimum_p(draws) * (1 + 1e-9):
        bound = _round_up(minimum_p(draws))
        return f"{'<' if bound > minimum_p(draws) * (1 + 1e-9) else '≤'} {bound:g} (B = {draws:,})"
    if draws is None and p < 0.00005:  # an analytic p too small for four decimals
        return "< 0.0001"
    digits = 3 if p >= 0.001 else 4
    text = f"{p:.{digits}f}"
    if mcse is not None and np.isfinite(mcse):
        text += f" (MC SE {mcse:.{digits}f}" + (f", B = {draws:,})" if draws else ")")
    elif draws:
        text += f" (B = {draws:,})"
    return text
