"""Validation of plain-valued hyper-parameters, with messages that say what to pass."""

import numbers


def check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}.")


def check_int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")


def check_real(value, name, low, high, closed_low=True, closed_high=True):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        ok = (value >= low if closed_low else value > low) and (
            value <= high if closed_high else value < high
        )
    if not ok:
        left, right = "[" if closed_low else "(", "]" if closed_high else ")"
        raise ValueError(f"{name} must be a number in {left}{low}, {high}{right}, got {value!r}.")
