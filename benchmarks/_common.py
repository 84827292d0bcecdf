"""Timing, machine description and the result table shared by every benchmark."""

import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import torch


@dataclass
class Row:
    """One line of the table: a measured figure, its target and whether it is met."""

    name: str
    measured: str
    target: str = ""
    met: bool | None = None  # None: no target (informational figure)
    detail: str = ""

    @property
    def status(self):
        if self.met is None:
            return "-"
        return "met" if self.met else "NOT MET"


@dataclass
class Section:
    title: str
    rows: list = field(default_factory=list)
    seconds: float = 0.0


def interleaved(candidates, repeats, warmup=1):
    """Time each callable of ``candidates`` (name -> callable) ``repeats`` times.

    The candidates run one after the other inside every repeat, and the order rotates
    from repeat to repeat, so that a slow phase of a shared, busy machine hits all of
    them alike. Returns name -> list of seconds (warm-up runs excluded).
    """
    names = list(candidates)
    for _ in range(warmup):
        for name in names:
            candidates[name]()
    times = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            candidates[name]()
            times[name].append(time.perf_counter() - start)
    return times


def median(values):
    return statistics.median(values)


def paired_ratio(times, numerator, denominator):
    """Median over repeats of the per-repeat ratio: each pair ran back to back, so the
    ratio is less sensitive to load changes than a ratio of two medians."""
    pairs = zip(times[numerator], times[denominator])
    return statistics.median(a / b for a, b in pairs)


def seconds(value):
    if value < 1e-3:
        return f"{value * 1e6:.0f} us"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count()


def load_average():
    try:
        return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def machine_lines():
    import sklearn

    try:
        import skorch

        skorch_version = skorch.__version__
    except ImportError:
        skorch_version = "not installed"
    return [
        f"CPU: {cpu_model()}, {usable_cores()} usable cores ({os.cpu_count()} logical)",
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}",
        f"torch {torch.__version__} (get_num_threads={torch.get_num_threads()}), "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, skorch {skorch_version}",
        f"CUDA: {'available' if torch.cuda.is_available() else 'not used (CPU only)'}",
        f"load average at start (1/5/15 min): {load_average()}",
    ]


def render(sections, header, total_seconds):
    """One plain-text table (Markdown-compatible) with the machine description."""
    lines = [*header, ""]
    columns = ("Benchmark", "Measured", "Target", "Status", "Detail")
    body = []
    for section in sections:
        body.append((f"**{section.title}**", "", "", "", f"({section.seconds:.0f} s)"))
        for row in section.rows:
            body.append((row.name, row.measured, row.target, row.status, row.detail))
    widths = [max(len(columns[i]), *(len(r[i]) for r in body)) for i in range(4)]

    def line(cells):
        padded = [cells[i].ljust(widths[i]) for i in range(4)] + [cells[4]]
        return "| " + " | ".join(padded) + " |"

    lines.append(line(columns))
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|---|")
    lines.extend(line(cells) for cells in body)
    met = sum(r.met is True for s in sections for r in s.rows)
    missed = sum(r.met is False for s in sections for r in s.rows)
    lines.append("")
    errors = sum(r.measured == "error" for s in sections for r in s.rows)
    summary = f"Targets met: {met}, not met: {missed}"
    if errors:
        summary += f", sections that failed: {errors}"
    lines.append(f"{summary}. Whole run: {total_seconds:.0f} s.")
    return "\n".join(lines)


def note(text):
    """Progress on stderr, so that stdout holds only the table."""
    print(text, file=sys.stderr, flush=True)
