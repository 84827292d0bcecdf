"""The package's layering: each sub-package imports only the layers below it, no module
import cycle, and the statistical baselines and forecasting tools run without torch.

The layers, bottom first (docs/contributing.rst shows the tree):

- ``_utils``: parameter checks, seasons, time indexes, target transforms, quantiles;
- ``_preprocessing``: make_supervised, Windower, TextSequencer, sequences, panels;
- ``_baselines``: ARIMA, ETS, Theta, naive; ``metrics`` and ``plotting``;
- ``_forecasting``: forecast, conformal intervals, compare, one model per series;
- ``_torch`` (with ``callbacks``): networks, training engine, devices;
- ``_recurrent``: the recurrent estimators;
- ``_deployment``: save/load, ONNX, int8; then the command line on top.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "lstmforecast"

_DATA = {"_utils", "_preprocessing"}
_TORCH = {*_DATA, "callbacks", "_torch"}
# What each layer may import, besides itself.
MAY_IMPORT = {
    "_utils": set(),
    "_preprocessing": {"_utils"},
    "_baselines": _DATA,
    "metrics": _DATA,
    "plotting": {*_DATA, "metrics"},
    "datasets": set(),
    "_forecasting": {*_DATA, "_baselines", "metrics", "plotting"},
    "callbacks": {"_utils"},
    "_torch": {*_DATA, "callbacks"},
    "_recurrent": _TORCH,
    # persistence names classes by their public names, read from the package's face
    "_deployment": {*_TORCH, "_recurrent", "_baselines", "_forecasting", "__init__"},
}
TOP = {"cli", "__main__", "__init__"}  # may import any layer


def modules():
    """Dotted name -> path of every module of the package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name, path):
    """The package's modules that ``name`` imports, anywhere in its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # "from . import metrics" imports a module
                candidate = f"{module}.{alias.name}"
                targets.add(candidate if candidate in MODULES else module)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    return {t for t in targets if t in MODULES and t != name}


def layer(name):
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


MODULES = modules()
GRAPH = {name: imported(name, path) for name, path in MODULES.items()}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_module_imports_only_lower_layers(name):
    own = layer(name)
    if own in TOP:
        return
    assert own in MAY_IMPORT, f"{name} is in no known layer: add its sub-package to the test"
    wrong = {t for t in GRAPH[name] if layer(t) != own and layer(t) not in MAY_IMPORT[own]}
    assert not wrong, f"{name} (layer {own}) imports {sorted(wrong)} from a higher layer"


def test_every_private_module_sits_in_a_sub_package():
    flat = [
        name
        for name, path in MODULES.items()
        if name.count(".") == 1 and name.split(".")[1].startswith("_") and path.stem != "__init__"
    ]
    assert flat == ["lstmforecast.__main__"]


def test_the_contributing_guide_shows_every_module():
    guide = (PACKAGE.parent / "docs" / "contributing.rst").read_text()
    tree = guide[guide.index("lstmforecast/\n") : guide.index("**The layering rule**")]
    missing = [
        name
        for name, path in MODULES.items()
        if path.stem != "__init__" and name.count(".") == 2 and path.stem not in tree
    ]
    assert not missing, f"docs/contributing.rst's tree leaves out {missing}"


def test_no_import_cycle():
    state = {}

    def visit(name, stack):
        state[name] = "open"
        for target in GRAPH[name]:
            if state.get(target) == "open":
                cycle = stack[stack.index(target) :] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*stack, target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state and layer(name) not in TOP:
            visit(name, [name])


def test_baselines_and_forecasting_tools_run_without_torch():
    code = """
import sys
import numpy as np
from lstmforecast import ETSRegressor, NaiveRegressor, compare, forecast, make_supervised
from lstmforecast.datasets import load_co2
X, y = make_supervised(load_co2().iloc[-120:], horizon=1)
model = NaiveRegressor().fit(X, y)
forecast(model, load_co2().iloc[-120:], horizon=3)
compare({"naive": NaiveRegressor()}, X, y, cv=2)
print("torch" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "False"
