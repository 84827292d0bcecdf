"""``python -m benchmarks [--quick] [--threads N] [--only NAME ...] [--write-readme]``"""

import argparse
import re
import sys
import time
from pathlib import Path

import torch

from . import (
    accuracy,
    arima_auto,
    coverage,
    fit,
    gpu,
    imports,
    predict,
    search,
    sequence,
    windower,
)
from ._common import Row, Section, machine_lines, note, render

SECTIONS = {
    "fit": ("fit: LSTMRegressor vs hand-written loop vs skorch", fit.run),
    "predict": ("predict", predict.run),
    "windower": ("Windower (4 features, look_back 256)", windower.run),
    "sequence": ("sequence-mode training vs window mode", sequence.run),
    "search": ("GridSearchCV in parallel", search.run),
    "gpu": ("GPU: training throughput against the CPU", gpu.run),
    "import": ("import time", imports.run),
    "arima_auto": ("ARIMARegressor(order='auto') vs statsforecast AutoARIMA", arima_auto.run),
    "coverage": ("prediction intervals: coverage over rolling origins", coverage.run),
    "accuracy": ("accuracy: rolling-origin forecasts on shipped series", accuracy.run),
}
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
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    command = "python -m benchmarks " + " ".join(sys.argv[1:] if argv is None else argv)
    header = [f"Command: `{command.strip()}`", "", *[f"- {line}" for line in machine_lines()]]
    if args.quick:
        header.append("- QUICK smoke run: smaller sizes and fewer repeats than the targets name")
    started = time.perf_counter()
    sections = []
    for name in args.only or list(SECTIONS):
        title, function = SECTIONS[name]
        note(f"{title} ...")
        section_start = time.perf_counter()
        try:
            rows = function(quick=args.quick)
        except Exception as error:  # one broken section must not lose the others' figures
            rows = [Row(f"{name}: failed", "error", "", None, f"{type(error).__name__}: {error}")]
        for row in rows:  # partial results survive an interrupted run
            note(f"    {row.name}: {row.measured} ({row.status}) {row.detail}")
        sections.append(Section(title, rows, time.perf_counter() - section_start))
    table = render(sections, header, time.perf_counter() - started)
    print(table)
    if args.write_readme:
        text = README.read_text()
        block = f"{BEGIN}\n{table}\n{END}"
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        for name, extra in accuracy.TABLES.items():  # sections with a table of their own
            begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
            block = f"{begin}\nCommand: `{command.strip()}`\n\n{extra}\n{end}"
            pattern = re.escape(begin) + ".*?" + re.escape(end)
            text = re.sub(pattern, lambda _, block=block: block, text, flags=re.S)
        README.write_text(text)
        note(f"table written to {README}")


if __name__ == "__main__":
    main()
