"""save/load for every public estimator and pipelines of them; load trusts nothing in
the file: a corrupt or altered file is one clear error that names it."""

import json
import os

import numpy as np
import pandas as pd
import pytest
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer

from lstmforecast import (
    ARIMARegressor,
    CalendarFeatures,
    ConformalForecaster,
    ETSRegressor,
    LSTMAutoencoder,
    LSTMClassifier,
    LSTMRegressor,
    LSTMTagger,
    ModelFileError,
    NaiveRegressor,
    PerSeriesForecaster,
    SeasonalNaiveRegressor,
    TextSequencer,
    ThetaRegressor,
    Windower,
    load,
    make_supervised,
    save,
)

from .conftest import TINY

SERIES = 10 + np.sin(np.arange(60) * np.pi / 6) + 0.05 * np.arange(60)
ROWS, TARGETS = SERIES[:-1, None], SERIES[1:]
_rng = np.random.default_rng(0)
SEQUENCES = _rng.normal(size=(30, 5, 2))
TOKENS = [np.array([1, 2, 3, 1]), np.array([2, 3]), np.array([3, 1, 2])] * 4
TAGS = [["a", "b", "c", "a"], ["b", "c"], ["c", "a", "b"]] * 4
TEXTS = ["the film was great", "the plot was thin", "a great film", "thin acting"] * 3
DATED_PANEL = pd.DataFrame(
    {"id": np.repeat(["a", "b"], 30), "v": np.r_[SERIES[:30], 2 * SERIES[30:]]},
    index=list(pd.date_range("2000-01", periods=30, freq="MS")) * 2,
)
PANEL_X, PANEL_y = make_supervised(DATED_PANEL, target_column="v", id_column="id")


def _quantiles(model, X):
    return model.predict(X, quantiles=[0.1, 0.9])


def _tags(model, X):
    return np.concatenate(model.predict(X))


# name: (fitted model, input, what must come out identically)
MODELS = {
    "NaiveRegressor": (lambda: NaiveRegressor().fit(ROWS, TARGETS), ROWS, None),
    "SeasonalNaiveRegressor": (
        lambda: SeasonalNaiveRegressor(season_length=12).fit(ROWS, TARGETS),
        ROWS,
        _quantiles,
    ),
    "ARIMARegressor": (
        lambda: ARIMARegressor(order=(1, 0, 0)).fit(ROWS, TARGETS),
        ROWS,
        _quantiles,
    ),
    "ETSRegressor": (
        lambda: ETSRegressor(season_length=12, target_transform="log").fit(ROWS, TARGETS),
        ROWS,
        _quantiles,
    ),
    "ETSRegressor simulated intervals": (
        lambda: ETSRegressor(error="mul", trend="add", seasonal=None).fit(ROWS, TARGETS),
        ROWS,
        _quantiles,
    ),
    "ThetaRegressor": (
        lambda: ThetaRegressor(season_length=12, use_test=False).fit(ROWS, TARGETS),
        ROWS,
        _quantiles,
    ),
    "LSTMRegressor": (
        lambda: make_pipeline(Windower(look_back=6), LSTMRegressor(**TINY)).fit(ROWS, TARGETS),
        ROWS,
        None,
    ),
    "LSTMClassifier": (
        lambda: LSTMClassifier(**TINY).fit(SEQUENCES, SEQUENCES[:, -1, 0] > 0),
        SEQUENCES,
        lambda m, X: m.predict_proba(X),
    ),
    "LSTMAutoencoder": (
        lambda: LSTMAutoencoder(**TINY).fit(SEQUENCES),
        SEQUENCES,
        lambda m, X: m.decision_function(X),
    ),
    "LSTMTagger": (lambda: LSTMTagger(**TINY, embedding_dim=4).fit(TOKENS, TAGS), TOKENS, _tags),
    "TextSequencer and LSTMClassifier": (
        lambda: make_pipeline(TextSequencer(), LSTMClassifier(**TINY, embedding_dim=4)).fit(
            TEXTS, np.arange(12) % 2
        ),
        TEXTS,
        lambda m, X: m.predict_proba(X),
    ),
    "ConformalForecaster": (
        lambda: ConformalForecaster(ThetaRegressor()).fit(ROWS, TARGETS),
        ROWS,
        _quantiles,
    ),
    "PerSeriesForecaster": (
        lambda: PerSeriesForecaster(ETSRegressor(), id_column="id").fit(PANEL_X, PANEL_y),
        PANEL_X,
        None,
    ),
    "panel pipeline on dated rows": (
        lambda: Pipeline(
            [
                ("win", Windower(look_back=4, id_column="id")),
                ("lstm", LSTMRegressor(**TINY)),
            ]
        ).fit(PANEL_X, PANEL_y),
        PANEL_X,
        None,
    ),
    "panel Windower on dated rows": (
        lambda: Windower(look_back=4, id_column="id").fit(PANEL_X),
        PANEL_X.groupby("id").tail(3),  # continues each series' history
        lambda m, X: m.transform(X),
    ),
    "CalendarFeatures on dated rows": (
        lambda: CalendarFeatures().fit(DATED_PANEL[["v"]].iloc[:30]),
        DATED_PANEL[["v"]].iloc[:30],
        lambda m, X: m.transform(X).to_numpy(),
    ),
    "FunctionTransformer": (
        lambda: FunctionTransformer(np.log1p, inverse_func=np.expm1).fit(ROWS),
        ROWS,
        lambda m, X: m.transform(X),
    ),
}


@pytest.mark.parametrize("name", MODELS)
def test_every_model_round_trips(name, tmp_path):
    make, X, output = MODELS[name]
    output = output or (lambda m, X: m.predict(X))
    model = make()
    path = tmp_path / "model.lstmf"
    save(model, path)
    loaded = load(path)
    assert type(loaded) is type(model)
    np.testing.assert_array_equal(output(loaded, X), output(model, X), strict=True)


def test_every_public_estimator_class_is_covered():
    from sklearn.base import BaseEstimator

    import lstmforecast

    public = {
        name
        for name in lstmforecast.__all__
        if isinstance(getattr(lstmforecast, name), type)
        and issubclass(getattr(lstmforecast, name), BaseEstimator)
    }
    covered = {name.split()[0] for name in MODELS} | {"Windower"}
    assert public <= covered, public - covered


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_the_file_mode_follows_the_umask(umask, tmp_path):
    previous = os.umask(umask)
    try:
        save(NaiveRegressor().fit(ROWS, TARGETS), tmp_path / "m.lstmf")
    finally:
        os.umask(previous)
    assert os.stat(tmp_path / "m.lstmf").st_mode & 0o777 == 0o666 & ~umask
    assert os.listdir(tmp_path) == ["m.lstmf"]  # no temporary file left behind


def test_saving_into_a_missing_folder_names_the_folder(tmp_path):
    missing = tmp_path / "no" / "such"
    with pytest.raises(FileNotFoundError, match=f"folder {missing} does not exist"):
        save(NaiveRegressor().fit(ROWS, TARGETS), missing / "m.lstmf")
    with pytest.raises(FileNotFoundError, match="No model file"):
        load(missing / "m.lstmf")


def _saved(tmp_path, model):
    from safetensors import safe_open

    path = tmp_path / "model.lstmf"
    save(model, path)
    with safe_open(path, framework="pt") as handle:
        header = handle.metadata()["lstmforecast"]
        tensors = {key: handle.get_tensor(key) for key in handle.keys()}
    return header, tensors


def _forged(tmp_path, header, tensors, name="forged.lstmf"):
    from safetensors.torch import save_file

    path = tmp_path / name
    save_file(tensors, path, metadata={"lstmforecast": header})
    return path


def _tampered_files(tmp_path):
    """(what was done to the file, its path)."""
    naive = NaiveRegressor().fit(ROWS, TARGETS)
    header, tensors = _saved(tmp_path, naive)
    lstm_header, lstm_tensors = _saved(
        tmp_path, LSTMRegressor(**TINY).fit(SEQUENCES, SEQUENCES[:, -1, 0])
    )
    function_header, function_tensors = _saved(tmp_path, FunctionTransformer(np.log1p).fit(ROWS))
    raw = (tmp_path / "model.lstmf").read_bytes()
    files = {}
    truncated = tmp_path / "truncated.lstmf"
    truncated.write_bytes(raw[: len(raw) // 2])
    files["truncated"] = truncated
    noise = tmp_path / "noise.lstmf"
    noise.write_bytes(np.random.default_rng(0).bytes(500))
    files["random bytes"] = noise
    text = tmp_path / "text.lstmf"
    text.write_text("not a model")
    files["text"] = text
    files["header not JSON"] = _forged(tmp_path, header[:-5], tensors, "json")
    files["header a list"] = _forged(tmp_path, "[1, 2]", tensors, "list")
    parsed = json.loads(header)
    del parsed["model"]["params"]
    files["a key missing"] = _forged(tmp_path, json.dumps(parsed), tensors, "key")
    naming = f'"class": "{json.loads(header)["model"]["class"]}"'
    for name in ("lstmforecast._tagger:LabelEncoder", "lstmforecast._base:BaseEstimator"):
        forged = header.replace(naming, f'"class": "{name}"')
        files[f"class {name}"] = _forged(tmp_path, forged, tensors, name.replace(":", "-"))
    files["class os:system"] = _forged(
        tmp_path, header.replace(naming, '"class": "os:system"'), tensors, "os"
    )
    forged = function_header.replace('{"$type": "ufunc", "name": "log1p"}', '"os.system"')
    assert forged != function_header
    files["FunctionTransformer(func='os.system')"] = _forged(
        tmp_path, forged, function_tensors, "ft"
    )
    wrong_shape = {key: value[..., :1].clone() for key, value in lstm_tensors.items()}
    files["tensors of the wrong shape"] = _forged(tmp_path, lstm_header, wrong_shape, "shape")
    files["a tensor missing"] = _forged(tmp_path, lstm_header, dict(list(lstm_tensors.items())[1:]))
    return files


def test_a_corrupt_or_altered_file_is_one_clear_error(tmp_path):
    for what, path in _tampered_files(tmp_path).items():
        with pytest.raises(ModelFileError, match=f"Cannot load {path}") as caught:
            load(path)
        assert isinstance(caught.value, ValueError), what


def test_load_accepts_exactly_the_classes_save_names(tmp_path):
    files = _tampered_files(tmp_path)
    for name in ("LabelEncoder", "BaseEstimator"):
        path = files[f"class lstmforecast._{'tagger' if 'Label' in name else 'base'}:{name}"]
        with pytest.raises(ModelFileError, match="not on lstmforecast.load's allow-list"):
            load(path)
    with pytest.raises(ModelFileError, match="numpy ufuncs"):
        load(files["FunctionTransformer(func='os.system')"])
