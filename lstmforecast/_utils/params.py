"""The one way parameters are validated: scikit-learn's declarative constraints.

Every estimator declares ``_parameter_constraints`` (sklearn's ``Interval``, ``StrOptions``,
types...) and calls ``_validate_params()`` at the start of ``fit``; public functions are
decorated with ``validate_arguments``, sklearn's ``validate_params`` on the same engine
(``validate_parameter_constraints``) and with the same messages, except that it does not
rename the errors raised *inside* the function: sklearn's decorator rewrites "parameter
of LSTMRegressor must be" into "parameter of compare must be" when a model given to
``compare`` has a bad parameter. Two additions keep the messages saying how to fix the
value:

- ``_parameter_hints``: a sentence appended to sklearn's message for that parameter
  (e.g. what a season length is for a monthly series);
- a bool is refused where a number is expected (sklearn's ``Interval`` takes True for 1,
  and a flag is never meant as a count).

Checks that involve several parameters, or the data, come after this validation, in each
estimator, with their own messages.
"""

import functools
import inspect
from numbers import Integral, Real

import numpy as np
from sklearn import get_config
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    validate_parameter_constraints,
)

__all__ = [
    "COVERAGE_HINT",
    "SEASON_LENGTH_HINT",
    "HintedParams",
    "check_parameters",
    "coverage_constraint",
    "positive_int",
    "validate_arguments",
]


def positive_int():
    """Constraint list of an integer >= 1."""
    return [Interval(Integral, 1, None, closed="left")]


SEASON_LENGTH_HINT = "It is the number of rows per season: 12 for monthly data, 1 for none."
COVERAGE_HINT = "It is the probability of a central interval, such as 0.8 or 0.95."


def coverage_constraint():
    """Constraint list of an interval's coverage (a probability), or None."""
    return [Interval(Real, 0, 1, closed="neither"), None]


def check_parameters(constraints, params, caller, hints=None):
    """Validate ``params`` (a name -> value dict) against sklearn ``constraints``.

    Raises sklearn's ``InvalidParameterError`` (a ValueError and a TypeError) with its
    message, ``"The 'name' parameter of caller must be ... Got ... instead."``, followed by
    ``hints[name]`` when there is one.
    """
    hints = hints or {}
    for name, value in params.items():
        allowed = constraints.get(name, "no_validation")
        if isinstance(allowed, str) and allowed == "no_validation":
            continue
        numeric = any(isinstance(c, Interval) for c in allowed) and "boolean" not in allowed
        try:
            if numeric and isinstance(value, bool | np.bool_):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {caller} must be a number, not a bool. "
                    f"Got {value!r} instead."
                )
            validate_parameter_constraints({name: allowed}, {name: value}, caller_name=caller)
        except InvalidParameterError as error:
            hint = hints.get(name)
            if hint is None:
                raise
            raise InvalidParameterError(f"{error} {hint}") from None


class HintedParams:
    """Mixin (before ``BaseEstimator``): sklearn's ``_validate_params`` with the two
    additions of this module. The constraints cover every ``__init__`` parameter
    (tests/test_estimator_checks.py runs sklearn's ``check_param_validation``)."""

    _parameter_constraints: dict = {}
    _parameter_hints: dict = {}

    def _validate_params(self):
        check_parameters(
            self._parameter_constraints,
            self.get_params(deep=False),
            type(self).__name__,
            self._parameter_hints,
        )


def validate_arguments(constraints, hints=None):
    """Decorator: check a public function's arguments against sklearn ``constraints``
    (a name -> constraint list dict; unnamed arguments are not checked) before it runs.
    Skipped under ``sklearn.config_context(skip_parameter_validation=True)``."""

    def decorate(function):
        signature = inspect.signature(function)
        function._skl_parameter_constraints = constraints  # as sklearn's decorator does

        @functools.wraps(function)
        def checked(*args, **kwargs):
            if not get_config()["skip_parameter_validation"]:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                named = {k: v for k, v in bound.arguments.items() if k in constraints}
                check_parameters(constraints, named, function.__name__, hints)
            return function(*args, **kwargs)

        return checked

    return decorate
