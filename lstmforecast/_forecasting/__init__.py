"""Forecasting tools over any model: forecast, conformal intervals, compare, one model
per series. No torch.
"""
