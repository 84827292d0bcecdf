"""
Your own network: a causal convolution net in LSTMRegressor
============================================================

``LSTMRegressor(module=MyNet)`` trains any ``torch.nn.Module`` class with everything
the estimator does for its built-in network: input and target scaling, the target
anchor for trending series, padding, early stopping, callbacks, pickling and
:func:`~lstmforecast.summary`. The module follows a small protocol:

- it is built as ``MyNet(n_inputs=..., n_outputs=..., **params)``, where ``params`` are
  the estimator's ``module__<name>`` parameters (so ``GridSearchCV`` can tune them);
- ``forward(x, lengths)`` receives standardised windows ``x`` of shape
  (batch, T, n_inputs), right-aligned: step ``-1`` is each window's last observation
  and padding steps in front hold 0; it returns (batch, n_outputs).

Here the module is a small stack of dilated causal convolutions (a temporal
convolution network) forecasting monthly CO2 one month ahead.
"""

# %%
import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline
from torch import nn

from lstmforecast import LSTMRegressor, Windower, make_supervised, summary
from lstmforecast.datasets import load_co2


class CausalConvNet(nn.Module):
    """Dilated causal 1-D convolutions; the last step's features feed a linear head."""

    def __init__(self, n_inputs, n_outputs, channels=16, levels=3):
        super().__init__()
        layers, width = [], n_inputs
        for level in range(levels):
            dilation = 2**level
            layers += [
                nn.ConstantPad1d((2 * dilation, 0), 0.0),  # causal: no step sees the future
                nn.Conv1d(width, channels, kernel_size=3, dilation=dilation),
                nn.ReLU(),
            ]
            width = channels
        self.convolutions = nn.Sequential(*layers)
        self.head = nn.Linear(channels, n_outputs)

    def forward(self, x, lengths):
        features = self.convolutions(x.transpose(1, 2))  # (batch, channels, T)
        return self.head(features[:, :, -1])


# %%
# The estimator's own hyper-parameters (learning rate, epochs, early stopping) still
# apply; ``module__channels`` goes to the constructor above.
X, y = make_supervised(load_co2())
n_test = 60
model = make_pipeline(
    Windower(look_back=24),
    LSTMRegressor(
        module=CausalConvNet,
        module__channels=16,
        lr=3e-3,
        max_epochs=25,
        early_stopping=True,
        random_state=0,
        device="cpu",
    ),
)
model.fit(X.iloc[:-n_test], y.iloc[:-n_test])
forecast = model.predict(X.iloc[-n_test:])
actual = y.iloc[-n_test:].to_numpy()
last_value = X["co2"].iloc[-n_test:].to_numpy()
print(f"MAE conv net:    {np.abs(forecast - actual).mean():.3f} ppm")
print(f"MAE last value:  {np.abs(last_value - actual).mean():.3f} ppm")

# %%
# ``summary`` lists the layers of the module, and ``loss_curve_`` is a table.
regressor = model[-1]
total = summary(regressor)
history = pd.DataFrame(regressor.loss_curve_).set_index("epoch")
history[["train_loss", "valid_loss"]].plot(logy=True, title="Loss per epoch")

# %%
# The forecast of the last five years against what happened.
frame = pd.DataFrame(
    {"observed": actual, "conv net": forecast, "last value": last_value},
    index=y.index[-n_test:],
)
ax = frame.plot(title="CO2 one month ahead (ppm)")
ax.set_xlabel("")
