"""Sphinx configuration of the lstmforecast documentation.

Build (from the repository root)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The gallery runs every ``examples/plot_*.py``; generated files go to
``docs/auto_examples`` and ``docs/gen_modules`` (both git-ignored).
"""

import os
import re
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("agg")

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS))

import torch  # noqa: E402

import lstmforecast  # noqa: E402

# The examples train small networks: one intra-op thread is the fastest setting on the
# 2-core CI machine and keeps timings steady when other processes share the cores.
torch.set_num_threads(int(os.environ.get("LSTMFORECAST_DOCS_THREADS", "1")))

# -- project ----------------------------------------------------------------------
project = "lstmforecast"
author = "the lstmforecast developers"
copyright = "the lstmforecast developers, BSD-3-Clause"
version = release = lstmforecast.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "gen_modules/*.rst.txt"]
root_doc = "index"
default_role = "literal"
pygments_style = "sphinx"
suppress_warnings = []

# -- API reference ----------------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks = set()

intersphinx_mapping = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "pandas": ("https://pandas.pydata.org/docs/", None),
    "torch": ("https://docs.pytorch.org/docs/stable/", None),
}
# The CI machine is offline: no inventory is fetched unless LSTMFORECAST_DOCS_ONLINE=1.
if os.environ.get("LSTMFORECAST_DOCS_ONLINE") != "1":
    intersphinx_mapping = {}

# -- gallery ----------------------------------------------------------------------
from gallery_order import example_rank  # noqa: E402  (docs/gallery_order.py)
from sphinx_gallery.sorting import FunctionSortKey  # noqa: E402

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("lstmforecast",),
    "reference_url": {"lstmforecast": None},
    "within_subsection_order": FunctionSortKey(example_rank, "gallery_order.example_rank"),
    "remove_config_comments": True,
    "show_memory": False,
    "matplotlib_animations": False,
    "min_reported_time": 0,
    "default_thumb_file": None,
    "image_scrapers": ("matplotlib",),
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "plot_gallery": "True",
    "capture_repr": ("_repr_html_", "__repr__"),
    "download_all_examples": True,
}

# -- HTML -------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"lstmforecast {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    # Example pages give their width to the code: no "on this page" column there.
    "secondary_sidebar_items": {
        "*": ["page-toc"],
        "gen_modules/*": ["page-toc"],
        "auto_examples/*": [],
    },
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
}
# The user guide pages are top-level sections: a section navigation would be empty.
html_sidebars = {"*": []}


# -- generated includes -----------------------------------------------------------
GENERATED = DOCS / "gen_modules"


def _write_if_changed(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _cli_help():
    """The --help texts of the lstmforecast command, for docs/cli.rst."""
    try:
        from lstmforecast.cli import build_parser
    except ImportError:  # the command line is not there yet
        _write_if_changed(GENERATED / "cli_main.txt", "(the command line is not available)\n")
        return
    import argparse

    parser = build_parser()
    os.environ["COLUMNS"] = "88"  # argparse wraps help text to the terminal width
    _write_if_changed(GENERATED / "cli_main.txt", parser.format_help())
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                _write_if_changed(GENERATED / f"cli_{name}.txt", sub.format_help())


def _cli_example():
    """Run one ``lstmforecast forecast`` on the CO2 series, for docs/cli.rst.

    Re-run only when a module of the package is newer than the saved output.
    """
    import contextlib
    import io

    from lstmforecast.cli import main
    from lstmforecast.datasets import load_co2

    transcript = GENERATED / "cli_forecast_run.txt"
    newest = max(path.stat().st_mtime for path in (ROOT / "lstmforecast").glob("*.py"))
    if transcript.exists() and transcript.stat().st_mtime > newest:
        return
    GENERATED.mkdir(parents=True, exist_ok=True)
    load_co2().rename_axis("month").to_frame().to_csv(GENERATED / "co2.csv")
    args = ["forecast", "co2.csv", "--target", "co2", "--horizon", "6", "--time-col", "month"]
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(GENERATED)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main([*args, "--plot", "forecast.png"])
    finally:
        os.chdir(cwd)
    if status != 0:
        raise RuntimeError(f"lstmforecast {' '.join(args)} failed:\n{err.getvalue()}")
    command = " ".join(["$ lstmforecast", *args, "--plot", "forecast.png"])
    _write_if_changed(transcript, f"{command}\n{err.getvalue()}{out.getvalue()}")


def _markdown_inline(text):
    """Inline markdown (code spans, bold) as RST; a leading list marker is escaped."""
    text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)
    if re.match(r"[-*+](\s|$)", text):  # would start a bullet list
        text = "\\" + text
    return text


def _markdown_table(lines, out):
    """A markdown pipe table as an RST list-table (header row first)."""
    rows = [
        [_markdown_inline(cell.strip()) for cell in line.strip().strip("|").split("|")]
        for line in lines
        if not re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", line)
    ]
    out += [".. list-table::", "   :header-rows: 1", "   :class: benchmark-table", ""]
    for row in rows:
        for i, cell in enumerate(row):
            lead = "   * -" if i == 0 else "     -"
            out.append(f"{lead} {cell}" if cell else lead)
    out.append("")


def _benchmark_table():
    """The results section of benchmarks/README.md as RST, for docs/performance.rst.

    The text between ``<!-- table:begin -->`` and ``<!-- table:end -->`` (the whole
    file if the markers are missing): pipe tables become list-tables, other lines
    keep their (markdown-compatible) text with code spans converted.
    """
    source = ROOT / "benchmarks" / "README.md"
    target = GENERATED / "benchmark_tables.rst"
    if not source.exists():
        _write_if_changed(
            target,
            ".. note::\n\n   ``benchmarks/README.md`` has no results yet: run "
            "``python -m benchmarks --write-readme`` to produce the table.\n",
        )
        return
    text = source.read_text(encoding="utf-8")
    match = re.search(r"<!-- table:begin -->(.*?)<!-- table:end -->", text, re.S)
    lines = (match.group(1) if match else text).splitlines()
    out, table = [], []
    for line in lines:
        if line.lstrip().startswith("|"):
            table.append(line)
            continue
        if table:
            _markdown_table(table, out)
            table = []
        if line.lstrip().startswith("#") or line.lstrip().startswith("```"):
            continue  # headings and fences of the markdown file are not ours to render
        body = line.strip()
        if body.startswith("- "):
            out.append("- " + _markdown_inline(body[2:]))
        else:
            out.append(_markdown_inline(body))
    if table:
        _markdown_table(table, out)
    _write_if_changed(target, "\n".join(out).strip() + "\n")


_cli_help()
_cli_example()
_benchmark_table()

_SKLEARN_REF = re.compile(r":ref:`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _plain_sklearn_refs(app, what, name, obj, options, lines):
    """Methods inherited from scikit-learn (``score``, ``get_params``...) link to labels
    of scikit-learn's own guide; without its inventory they are plain text."""
    module = getattr(obj, "__module__", "") or ""
    if module.startswith("sklearn"):
        lines[:] = [_SKLEARN_REF.sub(lambda m: m.group(1) or "", line) for line in lines]


_FIELD = re.compile(r"^(\s*\*{0,2}\w+(?:, \w+)* : )(.*)$")
_TRAILING_UNDERSCORE = re.compile(r"(?<![`\\])\b([A-Za-z]\w*_)(?![\w`])")


def _escape_field_types(app, what, name, obj, options, lines):
    """In ``name : type`` lines, a word ending in "_" (``of shape (n_features_in_,)``)
    would read as an RST link: escape its underscore."""
    for i, line in enumerate(lines):
        match = _FIELD.match(line)
        if match:
            head, kind = match.groups()
            lines[i] = head + _TRAILING_UNDERSCORE.sub(lambda m: m.group(1)[:-1] + "\\_", kind)


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_refs, priority=100)
    app.connect("autodoc-process-docstring", _escape_field_types, priority=100)


# Examples print to stdout; their warnings are captured in the gallery pages.
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")
