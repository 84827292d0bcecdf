"""Renamed public names keep working for two releases, as in scikit-learn's deprecation
cycle: the old name warns with a FutureWarning that names the new one.

- A fitted attribute: ``renamed_attribute(old, new)`` is a property under the old name,
  and ``RenamedState`` maps the old names of a pickled or saved estimator's state
  (``_renamed_attributes``) onto the new ones, so that models saved before the rename
  load and predict as before.
- A parameter: the new name takes its place in the signature, and the old one stays as
  a keyword whose default is ``DEPRECATED``; ``renamed_parameter`` reads whichever was
  given (for an estimator, in ``fit``: ``__init__`` only stores).
"""

import inspect
import warnings

__all__ = [
    "DEPRECATED",
    "RenamedState",
    "renamed_attribute",
    "renamed_parameter",
    "renamed_params",
    "renamed_value",
    "warn_renamed",
]

# Renamed in this release; the old names go two releases later.
RENAMED_IN, REMOVED_IN = "0.2", "0.4"

DEPRECATED = "deprecated"


def _warn(what, old, new, stacklevel):
    warnings.warn(
        f"{what}{old} was renamed {new} in {RENAMED_IN} and the old name will be removed "
        f"in {REMOVED_IN}; use {new}.",
        FutureWarning,
        stacklevel=stacklevel,
    )


def warn_renamed(old, new):
    """The FutureWarning of a renamed public function, in the package's words."""
    _warn("", old, new, stacklevel=3)


def renamed_attribute(old, new):
    """A property under the ``old`` name of the fitted attribute ``new``."""

    def get(self):
        value = getattr(self, new)  # AttributeError when unfitted: hasattr stays False
        _warn(f"{type(self).__name__}.", old, new, stacklevel=2)
        return value

    def set_(self, value):
        _warn(f"{type(self).__name__}.", old, new, stacklevel=2)
        setattr(self, new, value)

    return property(get, set_, doc=f"Deprecated alias of ``{new}``.")


class RenamedState:
    """Mixin: ``__setstate__`` (pickles, and ``load``, which rebuilds the state of saved
    files through it) renames the old attribute names of ``_renamed_attributes``, and
    moves the value of a renamed parameter (``_renamed_parameters``, old -> new name) to
    its new name, leaving the old one ``DEPRECATED``. A parameter added after the state
    was written gets its default, so that ``get_params`` and ``clone`` work."""

    _renamed_attributes: dict = {}
    _renamed_parameters: dict = {}

    def __setstate__(self, state):
        renamed = {self._renamed_attributes.get(key, key): value for key, value in state.items()}
        renamed = renamed_params(type(self), renamed)
        for name, parameter in inspect.signature(type(self).__init__).parameters.items():
            if parameter.default is not parameter.empty:
                renamed.setdefault(name, parameter.default)
        super().__setstate__(renamed)


def renamed_value(owner, old, new, default, warn=False):
    """The value in use of ``owner``'s renamed parameter: ``renamed_parameter`` on the
    attributes that store the new and the old one (``__init__`` keeps both)."""
    return renamed_parameter(
        type(owner).__name__, old, new, getattr(owner, old), getattr(owner, new), default, warn
    )


def renamed_params(cls, params):
    """``params`` (constructor arguments, or a pickled state) of a ``cls`` written before
    its parameters were renamed: each old name's value under its new name."""
    renames = getattr(cls, "_renamed_parameters", {})
    if not any(old in params and new not in params for old, new in renames.items()):
        return params
    params = dict(params)
    for old, new in renames.items():
        if old in params and new not in params:
            params[new], params[old] = params[old], DEPRECATED
    return params


def renamed_parameter(owner, old, new, old_value, new_value, new_default, warn=True):
    """The value of a renamed parameter: the new one's, or the deprecated old one's (with
    a FutureWarning, unless ``warn`` is False) when only that one was given. ``owner``
    names whose parameter it is (a class or function name)."""
    if isinstance(old_value, str) and old_value == DEPRECATED:
        return new_value
    if not _same(new_value, new_default):
        raise TypeError(
            f"{owner} got both {new}={new_value!r} and its deprecated old name "
            f"{old}={old_value!r}; pass {new} only."
        )
    if warn:
        _warn(f"{owner}'s parameter ", old, new, stacklevel=3)
    return old_value


def _same(value, default):
    try:
        return bool(value == default) and type(value) is type(default)
    except (TypeError, ValueError):  # arrays compare element-wise
        return False
