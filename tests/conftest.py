import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(0)


TINY = dict(hidden_size=8, max_epochs=5, batch_size=32, random_state=0, device="cpu")
