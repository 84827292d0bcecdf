"""Input checks shared by every reader of tabular data."""

import pandas as pd


def reject_non_numeric_columns(X, name="X"):
    """Raise a ValueError naming the first string or categorical column of a data frame.

    Without it, the error would be numpy's ``could not convert string to float``, which
    names neither the column nor the fix.
    """
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "shape") or len(getattr(X, "shape", ())) != 2:
        return
    schema = getattr(X, "schema", None)  # polars
    for column in columns:
        if schema is not None:
            dtype = schema[column]
            textual = not (dtype.is_numeric() or str(dtype) in ("Boolean", "Null"))
            example = X[column].drop_nulls().head(1).to_list() if textual else []
        else:
            values = X[column]
            dtype = values.dtype
            textual = isinstance(dtype, pd.CategoricalDtype) or (
                pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype)
            )
            if textual and pd.api.types.is_object_dtype(dtype):  # may hold numbers
                kind = pd.api.types.infer_dtype(values, skipna=True)
                textual = kind in ("string", "bytes", "mixed", "mixed-integer")
            example = values.dropna().head(1).tolist() if textual else []
        if textual:
            shown = f" such as {example[0]!r}" if example else ""
            raise ValueError(
                f"Column {column!r} of {name} holds text or categories{shown} ({dtype}); "
                "the models need numbers. Encode it first, e.g. with sklearn's "
                "OneHotEncoder or OrdinalEncoder in a ColumnTransformer, or drop it."
            )
