"""Benchmarks for lstmforecast (not part of the test suite), in two sub-packages:
``speed`` (time and memory, as ratios against a reference measured in the same run) and
``accuracy`` (forecast and classification quality against baselines and references).

Run ``python -m benchmarks`` for the full table, ``python -m benchmarks --quick`` for a
smoke run; see benchmarks/README.md for the latest table and what each line measures.
"""
