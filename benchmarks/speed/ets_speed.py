"""ETSRegressor's model search against statsforecast's AutoETS: CPU and accuracy.

The competition protocol of :mod:`benchmarks.accuracy.competition` (one origin per series, the
competitions' horizons, sMAPE and MASE, CPU seconds of fit and forecast summed over
series, one process, BLAS on one thread), on a fixed seeded sample of M3 monthly,
M3 quarterly and M1 yearly series, with three rows measured in the same run:

- ``ETSRegressor``: the default search (seasonal candidates ranked by fits stopped
  early, the best three fitted in full);
- ``ETSRegressor, full search``: every candidate fitted in full (statsmodels'
  optimisation, as before the ranking), the accuracy reference;
- ``sf AutoETS``: statsforecast's AutoETS, the CPU reference (compiled by numba: a
  warm-up fit keeps the compilation out of the timings).

Targets: CPU at most 2x AutoETS's on M3 monthly; sMAPE and MASE within 1% of the full
search on every subset. ``python -m benchmarks.speed.ets_speed [--sample N] [SUBSET ...]``
prints the tables.
"""

import numpy as np

from lstmforecast import ETSRegressor
from lstmforecast._baselines import ets

from .._common import Row, note

SUBSETS = ("M3/monthly", "M3/quarterly", "M1/yearly")
SAMPLE = 200
CPU_TARGET = 2.0
ACCURACY_TOLERANCE = 1.01


class _FullSearchETS(ETSRegressor):
    """ETSRegressor with every candidate fitted in full (no ranking stage)."""

    def _fit_series(self, series, X):
        default, ets._CONFIRMED = ets._CONFIRMED, None
        try:
            return super()._fit_series(series, X)
        finally:
            ets._CONFIRMED = default


def _ets(m, h):  # noqa: ARG001 (the competition's factory signature)
    return ETSRegressor(season_length=m)


def _full_search_ets(m, h):  # noqa: ARG001
    return _FullSearchETS(season_length=m)


def _warm_up_statsforecast():
    from statsforecast.models import AutoETS

    series = 10 + np.sin(np.arange(60.0)) + 0.1 * np.arange(60.0)
    for season in (1, 4, 12):
        AutoETS(season_length=season).forecast(y=series, h=6)


def compare(sample=SAMPLE, subsets=SUBSETS):
    """The competition tables of the three rows, and their results per subset."""
    from ..accuracy import competition

    _warm_up_statsforecast()
    models = {
        "ETSRegressor": competition.per_series(_ets),
        "ETSRegressor, full search": competition.per_series(_full_search_ets),
        "sf AutoETS": competition.statsforecast_model("AutoETS"),
    }
    results = {}
    for key in subsets:
        dataset, subset = key.split("/")
        items = competition.load_subset(dataset, subset)
        m = competition.SEASON[subset]
        note(f"  {key}: {min(sample, len(items))} of {len(items)} series, m={m}")
        results[key] = competition.evaluate_subset(items, m, models, sample, n_jobs=1)
    return results


def run(quick=False):
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        return [Row("ETS vs AutoETS", "skipped", "", None, "pip install '.[bench]'")]
    results = compare(sample=20 if quick else SAMPLE, subsets=SUBSETS[:1] if quick else SUBSETS)
    rows = []
    for key, table in results.items():
        ours, full, sf = (
            table[k] for k in ("ETSRegressor", "ETSRegressor, full search", "sf AutoETS")
        )
        cpu = ours.cpu / sf.cpu
        smape = np.nanmean(ours.smape) / np.nanmean(full.smape)
        mase = np.nanmean(ours.mase) / np.nanmean(full.mase)
        detail = (
            f"{len(ours.positions)} series; sMAPE / MASE {np.nanmean(ours.smape):.2f} / "
            f"{np.nanmean(ours.mase):.3f} (full search {np.nanmean(full.smape):.2f} / "
            f"{np.nanmean(full.mase):.3f}, AutoETS {np.nanmean(sf.smape):.2f} / "
            f"{np.nanmean(sf.mase):.3f}); CPU {ours.cpu:.1f} s (full search "
            f"{full.cpu:.1f} s, AutoETS {sf.cpu:.1f} s); failed {len(ours.failures)}"
        )
        rows.append(
            Row(
                f"{key}: CPU / AutoETS's, accuracy / full search's",
                f"CPU x{cpu:.2f}, sMAPE x{smape:.3f}, MASE x{mase:.3f}",
                f"CPU <= x{CPU_TARGET:g} (monthly), accuracy <= x{ACCURACY_TOLERANCE}",
                bool(
                    (cpu <= CPU_TARGET or key != "M3/monthly")
                    and smape <= ACCURACY_TOLERANCE
                    and mase <= ACCURACY_TOLERANCE
                    and not ours.failures
                ),
                detail,
            )
        )
    return rows


if __name__ == "__main__":  # python -m benchmarks.speed.ets_speed [--sample N] [SUBSET ...]
    import argparse

    parser = argparse.ArgumentParser(prog="python -m benchmarks.speed.ets_speed")
    parser.add_argument("subsets", nargs="*", help=f"e.g. M3/monthly (default: {SUBSETS})")
    parser.add_argument("--sample", type=int, default=SAMPLE, help="series per subset")
    arguments = parser.parse_args()
    for key, table in compare(arguments.sample, arguments.subsets or SUBSETS).items():
        print(key)
        for name, result in table.items():
            print(
                f"  {name:28s} sMAPE {np.nanmean(result.smape):6.2f}  MASE "
                f"{np.nanmean(result.mase):6.3f}  CPU {result.cpu:7.1f} s  "
                f"failed {len(result.failures)}"
            )
