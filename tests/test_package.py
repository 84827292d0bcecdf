import subprocess
import sys

import lstmforecast


def test_import_is_light_and_leaves_cuda_alone():
    code = (
        "import sys, torch, lstmforecast\n"
        "assert 'statsmodels' not in sys.modules, 'statsmodels imported'\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'\n"
        "assert not torch.cuda.is_initialized(), 'CUDA initialised'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_api_is_what_init_exports():
    public = {name for name in dir(lstmforecast) if not name.startswith("_")}
    modules = {"datasets", "metrics", "cli"}
    assert public - modules - {"annotations"} == set(lstmforecast.__all__)
    for name in lstmforecast.__all__:
        assert getattr(lstmforecast, name).__doc__, f"{name} has no docstring"
