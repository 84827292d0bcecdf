"""A fit that fails leaves the estimator as it was.

A serving job that retrains on new data, catches the error and keeps the old model must
keep a working model: a refit that raises halfway (a NaN in y, a 0 under a log target, a
different number of features) must not leave half of the new state over the old one.
:func:`transactional` wraps ``fit``, ``partial_fit`` and ``fit_transform`` with that
guarantee, for every estimator of the package, by one rule: the fitted state is recorded
before the call and put back when the call raises.

The record is cheap. Refits build new objects (a new network, new arrays) and only
rebind the attributes, so the attributes themselves are kept by reference; what training
changes in place, a warm-started network's weights and the per-epoch lists of
``loss_curve_``, is copied. A ``KeyboardInterrupt`` is no failure: training stops after the
current batch and keeps what it learnt (see the training engine), so only ``Exception``
restores.
"""

import copy
import functools
import threading

__all__ = ["transactional"]

# Estimators (by id) inside a transactional call on this thread: a fit that calls another
# wrapped method of the same estimator (fit -> fit_transform, a subclass's fit -> its
# base's) records the state once, at the outermost call.
_in_progress = threading.local()


def transactional(method):
    """Decorate a fitting method so that, when it raises, the estimator is put back as it
    was before the call, then the error propagates."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        active = _in_progress.__dict__.setdefault("ids", set())
        if id(self) in active:
            return method(self, *args, **kwargs)
        saved = record_state(self)
        active.add(id(self))
        try:
            return method(self, *args, **kwargs)
        except Exception:
            restore_state(self, saved)
            raise
        finally:
            active.discard(id(self))

    return wrapper


def record_state(estimator):
    """What :func:`restore_state` needs to put ``estimator`` back as it is now."""
    return {name: _record(value) for name, value in vars(estimator).items()}


def restore_state(estimator, saved):
    """Put back the attributes recorded by :func:`record_state`: attributes added since are
    removed, rebound ones rebound, and what was changed in place is copied back."""
    state = {name: _restored(record) for name, record in saved.items()}
    vars(estimator).clear()
    vars(estimator).update(state)


def _is_module(value):
    # Duck-typed, so that this module (used by the statistical baselines) needs no torch;
    # a class (the module= parameter) is no network.
    if isinstance(value, type):
        return False
    return callable(getattr(value, "state_dict", None)) and callable(
        getattr(value, "load_state_dict", None)
    )


def _record(value):
    if _is_module(value):
        # Warm starts and partial_fit train the fitted network in place.
        return ("module", value, copy.deepcopy(value.state_dict()))
    if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):
        # loss_curve_: one list per column, appended to by each epoch.
        return ("lists", {key: list(items) for key, items in value.items()})
    return ("value", value)


def _restored(record):
    kind = record[0]
    if kind == "module":
        _, module, weights = record
        module.load_state_dict(weights)
        return module
    if kind == "lists":
        return {key: list(items) for key, items in record[1].items()}
    return record[1]
