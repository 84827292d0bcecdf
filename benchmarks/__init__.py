"""Performance benchmarks for lstmforecast (not part of the test suite).

Run ``python -m benchmarks`` for the full table, ``python -m benchmarks --quick`` for a
smoke run; see benchmarks/README.md for the latest table and what each line measures.
"""
