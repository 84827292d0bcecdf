"""``python -m benchmarks [--quick] [--threads N] [--only NAME ...] [--write-readme]``

``--only competition [--sample N] [--subsets M3/monthly ...] [--jobs N]``: the M1/M3
competition benchmark, which runs only when named (its full run takes up to an hour).
"""

import argparse
import re
import sys
import time
from pathlib import Path

import torch

from ._common import Row, Section, machine_lines, note, render
from .accuracy import (
    anomaly,
    classification,
    competition,
    coverage,
    load,
    panels,
    rolling_origin,
    scaler,
    tagging,
)
from .speed import (
    arima_auto,
    deploy,
    ets_speed,
    fit,
    gpu,
    imports,
    predict,
    search,
    sequence,
    threads,
    windower,
)

SECTIONS = {
    "fit": ("fit: LSTMRegressor vs hand-written loop vs skorch", fit.run),
    "predict": ("predict", predict.run),
    "windower": ("Windower (4 features, look_back 256)", windower.run),
    "sequence": ("sequence-mode training vs window mode", sequence.run),
    "search": ("GridSearchCV in parallel", search.run),
    "gpu": ("GPU: training throughput against the CPU", gpu.run),
    "import": ("import time", imports.run),
    "threads": ("torch threads: default fit and Quickstart, quiet and beside a hog", threads.run),
    "anomaly": ("anomaly detection: ROC AUC on sktime and aeon data and faults", anomaly.run),
    "tagging": ("sequence labelling: per-step accuracy on a segmentation series", tagging.run),
    "arima_auto": ("ARIMARegressor(order='auto') vs statsforecast AutoARIMA", arima_auto.run),
    "ets_speed": ("ETSRegressor's search vs statsforecast AutoETS (M1/M3 sample)", ets_speed.run),
    "coverage": ("prediction intervals: coverage over rolling origins", coverage.run),
    "deploy": ("deployment: int8 quantization against fp32", deploy.run),
    "accuracy": ("accuracy: rolling-origin forecasts on shipped series", rolling_origin.run),
    "classification": (
        "classification: default LSTMClassifier vs MiniRocket on open UCR/UEA and generated sets",
        classification.run,
    ),
    "panels": ("panels: one global LSTM vs per-series models; fit time to 10k series", panels.run),
    "load": ("day-ahead load with temperature and calendar as known-future covariates", load.run),
    "scaler": ("a scaler in front of the Windower vs none (M3 monthly)", scaler.run),
    "competition": ("competitions: M1 and M3, one origin, sMAPE / MASE / CPU", competition.run),
}
# Run only when named in --only: the full competition run takes up to an hour on 2 cores.
ON_REQUEST = {"competition"}
README = Path(__file__).with_name("README.md")
BEGIN, END = "<!-- table:begin -->", "<!-- table:end -->"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short smoke run (< 60 s)")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch intra-op threads for the whole run (default 1: these small LSTMs gain "
        "nothing from a second thread, and one thread keeps timings stable on a busy machine)",
    )
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), help="run these only")
    parser.add_argument(
        "--write-readme", action="store_true", help="put the table into benchmarks/README.md"
    )
    parser.add_argument(
        "--sample",
        type=int,
        default=None,
        help="competition: a seeded sample of N series per subset (default: every series; "
        "the per-series LSTM whose network always trains then runs on a fixed sample of "
        f"{competition.LSTM_FULL_SAMPLE}, ARIMA on {competition.ARIMA_FULL_SAMPLE})",
    )
    parser.add_argument(
        "--subsets",
        nargs="+",
        default=None,
        help="competition: subsets to run, e.g. M3/monthly M1/yearly (default: all)",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=competition.N_JOBS,
        help="competition: joblib processes for the per-series fits",
    )
    parser.add_argument(
        "--skip",
        nargs="+",
        default=(),
        help="competition: rows to leave out, e.g. 'ARIMARegressor auto' 'sf AutoARIMA'",
    )
    args = parser.parse_args(argv)
    options = {
        "competition": dict(
            sample=args.sample, subsets=args.subsets, n_jobs=args.jobs, skip=args.skip
        ),
    }
    torch.set_num_threads(args.threads)
    command = "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)
    header = [f"Command: `{command.strip()}`", "", *[f"- {line}" for line in machine_lines()]]
    if args.quick:
        header.append("- QUICK smoke run: smaller sizes and fewer repeats than the targets name")
    started = time.perf_counter()
    sections = []
    names = args.only or [name for name in SECTIONS if name not in ON_REQUEST]
    for name in names:
        title, function = SECTIONS[name]
        note(f"{title} ...")
        section_start = time.perf_counter()
        try:
            rows = function(quick=args.quick, **options.get(name, {}))
        except Exception as error:  # one broken section must not lose the others' figures
            rows = [Row(f"{name}: failed", "error", "", None, f"{type(error).__name__}: {error}")]
        for row in rows:  # partial results survive an interrupted run
            note(f"    {row.name}: {row.measured} ({row.status}) {row.detail}")
        sections.append(Section(title, rows, time.perf_counter() - section_start))
    table = render(sections, header, time.perf_counter() - started)
    print(table)
    for extra in [
        *rolling_origin.TABLES.values(),
        *classification.TABLES.values(),
        *panels.TABLES.values(),
        *load.TABLES.values(),
        *competition.TABLES.values(),
    ]:
        print(f"\n{extra}")
    if args.write_readme:
        _write_readme(sections, header, started, command, names)


# Sections with a README block of their own: their run leaves the main table alone.
OWN_BLOCK = {
    "accuracy": rolling_origin.TABLES,
    "classification": classification.TABLES,
    "panels": panels.TABLES,
    "load": load.TABLES,
    "competition": competition.TABLES,
}


def _write_readme(sections, header, started, command, names):
    text = README.read_text()
    shared = [s for s, n in zip(sections, names) if n not in OWN_BLOCK]
    if shared:
        table = render(shared, header, time.perf_counter() - started)
        text = _replace_block(text, BEGIN, END, table)
    for section, name in zip(sections, names):
        if name in OWN_BLOCK:
            tables = "\n\n".join(OWN_BLOCK[name].values())
            body = render([section], header, section.seconds) + "\n\n" + tables
            text = _replace_block(text, f"<!-- {name}:begin -->", f"<!-- {name}:end -->", body)
    README.write_text(text)
    note(f"tables written to {README}")


def _replace_block(text, begin, end, body):
    if begin not in text:
        raise SystemExit(f"{README} has no {begin} ... {end} block to write into")
    block = f"{begin}\n{body}\n{end}"
    return re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)


if __name__ == "__main__":
    main()
