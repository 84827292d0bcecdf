"""Accuracy studies: forecast and classification quality against statistical baselines
and outside references, with the CPU each cost."""
