"""Shared parameter and attribute docs (lstmforecast/_utils/docstrings.py) read the same in
every estimator that has the parameter or attribute: they cannot drift apart."""

import inspect
import re

import pytest

import lstmforecast
from lstmforecast._utils.docstrings import SHARED_ENTRIES

ESTIMATORS = [
    getattr(lstmforecast, name)
    for name in lstmforecast.__all__
    if isinstance(getattr(lstmforecast, name), type) and hasattr(getattr(lstmforecast, name), "fit")
]
RECURRENT = [lstmforecast.LSTMRegressor, lstmforecast.LSTMClassifier]
RECURRENT += [lstmforecast.LSTMAutoencoder, lstmforecast.LSTMTagger]
ROW_FORECASTERS = [lstmforecast.NaiveRegressor, lstmforecast.SeasonalNaiveRegressor]
ROW_FORECASTERS += [lstmforecast.ETSRegressor, lstmforecast.ARIMARegressor]
ROW_FORECASTERS += [lstmforecast.ThetaRegressor]


def entries(cls):
    """name -> the entry's text (header and description, dedented) of a numpydoc class."""
    doc = inspect.cleandoc(cls.__doc__)
    found = {}
    for match in re.finditer(r"^(\w+) : .*\n(?:(?:    .*)?\n)*?(?=\w|\Z)", doc + "\n", re.M):
        found[match.group(1)] = match.group(0).rstrip()
    return found


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda cls: cls.__name__)
def test_no_placeholder_is_left(cls):
    assert "{{" not in cls.__doc__


@pytest.mark.parametrize("name", sorted(SHARED_ENTRIES))
def test_a_shared_entry_reads_the_same_in_every_estimator_that_has_it(name):
    readers = [cls for cls in ESTIMATORS if name in entries(cls)]
    assert readers, f"no estimator documents {name}"
    for cls in readers:
        if cls is lstmforecast.ARIMARegressor and name == "verbose":
            continue  # its verbose prints the models the search tries: another meaning
        assert entries(cls)[name] == SHARED_ENTRIES[name], cls.__name__


@pytest.mark.parametrize("cls", RECURRENT, ids=lambda cls: cls.__name__)
def test_every_recurrent_estimator_reads_the_shared_training_entries(cls):
    shared = ["random_state", "device", "n_threads", "precision", "verbose", "callbacks"]
    shared += ["warm_start", "loss_curve_", "n_iter_", "device_"]
    for name in shared:
        assert entries(cls).get(name) == SHARED_ENTRIES[name], (cls.__name__, name)


@pytest.mark.parametrize("cls", ROW_FORECASTERS, ids=lambda cls: cls.__name__)
def test_every_row_forecaster_reads_the_shared_target_entries(cls):
    for name in ["target_column", "target_index_", "index_signature_"]:
        assert entries(cls).get(name) == SHARED_ENTRIES[name], (cls.__name__, name)
