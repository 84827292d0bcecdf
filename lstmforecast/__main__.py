"""``python -m lstmforecast``: the same command as the ``lstmforecast`` script."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
