import numpy as np
import pytest
import torch

# The test models are tiny: a second intra-op thread only adds synchronisation, and
# pytest-driven subprocesses (CLI, loky workers) must not oversubscribe 2 CI cores.
torch.set_num_threads(1)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


TINY = dict(hidden_size=8, max_epochs=5, batch_size=32, random_state=0, device="cpu")
