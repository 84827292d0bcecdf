"""Statistical baselines (ARIMA, ETS, Theta, naive, seasonal naive) with the
forecasters' row API. No torch.
"""
