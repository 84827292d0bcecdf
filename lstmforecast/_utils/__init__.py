"""Bottom layer: parameter checks, seasons, time indexes, target transforms, quantile
helpers, torch's thread count. Imports nothing of the package.
"""
