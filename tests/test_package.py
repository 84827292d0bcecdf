import subprocess
import sys

import lstmforecast


def test_import_is_light_and_leaves_cuda_alone():
    code = (
        "import sys, lstmforecast\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "from lstmforecast import LSTMRegressor, ARIMARegressor, compare\n"
        "import torch\n"
        "assert 'statsmodels' not in sys.modules, 'statsmodels imported'\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
        "assert not torch.cuda.is_initialized(), 'CUDA initialised'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api_is_what_init_exports():
    for name in lstmforecast.__all__:
        assert getattr(lstmforecast, name).__doc__, f"{name} has no docstring"
    public = {name for name in dir(lstmforecast) if not name.startswith("_")}
    assert public - {"importlib", "callbacks", "datasets", "metrics", "plotting", "cli"} == set(
        lstmforecast.__all__
    )
