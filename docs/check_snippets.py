"""Run the ``python`` code blocks of the user guide pages, page by page.

Usage (from the repository root)::

    python docs/check_snippets.py             # every page of docs/
    python docs/check_snippets.py pipelines   # docs/pipelines.rst only

The blocks of one page run in order in one namespace, in a temporary directory, so
that a later block may use what an earlier one defined. A block preceded by the comment
``.. snippet: skip`` is not run. Exit status 1 if any block fails.
"""

import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path

import matplotlib

matplotlib.use("agg")

DOCS = Path(__file__).resolve().parent
BLOCK = re.compile(
    r"(?P<skip>\.\. snippet: skip\s*\n\s*\n)?(?P<indent>[ \t]*)\.\. code-block:: python[^\n]*\n"
    r"(?:(?P=indent)[ \t]+:[^\n]*\n)*\n"
    r"(?P<body>(?:(?P=indent)[ \t]+[^\n]*\n|[ \t]*\n)+)"
)


def blocks(page):
    text = page.read_text(encoding="utf-8")
    for match in BLOCK.finditer(text):
        body = match.group("body")
        lines = body.splitlines()
        width = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        code = "\n".join(line[width:] for line in lines)
        line_number = text.count("\n", 0, match.start()) + 1
        yield line_number, code, bool(match.group("skip"))


def run_page(page):
    namespace = {"__name__": "__snippet__"}
    failures = 0
    for line_number, code, skip in blocks(page):
        where = f"{page.name}:{line_number}"
        if skip:
            print(f"  skip {where}")
            continue
        start = time.perf_counter()
        try:
            exec(compile(code, where, "exec"), namespace)
        except Exception:
            failures += 1
            print(f"  FAIL {where}")
            traceback.print_exc()
            break  # later blocks depend on this one
        print(f"  ok   {where} ({time.perf_counter() - start:.1f} s)")
    return failures


def main(names):
    pages = [DOCS / f"{name}.rst" for name in names] or sorted(DOCS.glob("*.rst"))
    failures = 0
    with tempfile.TemporaryDirectory() as workdir:
        os.chdir(workdir)
        for page in pages:
            if not any(True for _ in blocks(page)):
                continue
            print(page.name)
            failures += run_page(page)
    print("all snippets ran" if not failures else f"{failures} page(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
