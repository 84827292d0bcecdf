"""The one recurrent network behind every estimator of the package.

Input (values or token ids) -> optional embedding -> optional per-sequence summary
(each sequence read beside its z-scored copy; its level and log-spread go to the
head) -> input dropout -> optional causal Conv1d front end -> LSTM / GRU / RNN
(stacked, optionally bidirectional) -> pooling over time -> linear head. An optional
fully convolutional branch (Conv1d + batch norm + ReLU blocks, averaged over time: the
FCN of LSTM-FCN) reads the same inputs beside the recurrence, and the head reads both.
Sequences arrive right-aligned (front padding, see ``_sequences``) and are left-aligned
here, so padding never reaches the recurrence.

The forward pass of a unidirectional network has no branch on the data: every batch is
left-aligned (the padding is never read) and pooling reads only the valid steps (the
output at each sequence's last valid step for "last"). A unidirectional
recurrence is causal, so steps after a sequence's end cannot change its valid outputs:
the result equals running each sequence alone, and the graph is the same for padded
and full batches, which is what ``torch.export`` and ONNX need. A bidirectional
network reads the padding on its way back, so it still packs padded batches.
"""

import torch
from torch import nn
from torch.func import functional_call
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .sequence_scaling import summarise_each_sequence

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
POOLINGS = ("last", "mean", "max", "attention")

# Token embeddings start uniform in +-this (Keras' default). torch's N(0, 1) start gives
# every word a large random vector that training barely moves: on a few phrases the
# network then memorises each word's noise instead of one shared sentiment direction,
# and "not <word>" for a word never seen negated is a coin toss (see tests/test_text.py).
EMBEDDING_INIT = 0.05


class RecurrentNetwork(nn.Module):
    """Recurrent encoder with a linear head, built from plain hyper-parameters.

    ``input_shift`` and ``input_scale`` standardise value inputs inside the module, so a
    saved network is self-contained. ``input_transform`` removes the level of trending
    inputs first: "last" expresses every sequence relative to its last observed step,
    "diff" replaces values by their change from the previous step (a per-step form that
    sequence-mode training can use).
    """

    def __init__(
        self,
        n_inputs,
        n_outputs,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        recurrent_dropout=0.0,
        pooling="last",
        conv_channels=None,
        conv_kernel_size=3,
        vocab_size=None,
        embedding_dim=None,
        input_transform="none",
        sequence_summary=False,
        fcn_channels=None,
    ):
        arguments = {k: v for k, v in locals().items() if k not in ("self", "__class__")}
        super().__init__()
        self.init_args = arguments  # what lstmforecast.load rebuilds the network from
        self.pooling = pooling
        self.input_transform = input_transform
        self.recurrent_dropout = recurrent_dropout
        self.register_buffer("input_shift", torch.zeros(n_inputs))
        self.register_buffer("input_scale", torch.ones(n_inputs))
        self.sequence_summary = sequence_summary
        if vocab_size is not None:
            self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
            width = embedding_dim
        else:
            self.embedding = None
            # with the summary: each input and its z-scored copy (summarise_each_sequence)
            width = 2 * n_inputs if sequence_summary else n_inputs
        self.input_dropout = nn.Dropout(dropout)
        self.fcn = FullyConvolutionalBranch(width, fcn_channels) if fcn_channels else None
        if conv_channels:
            # Causal: output step t sees input steps t-k+1..t only (left zero padding).
            self.conv = nn.Sequential(
                nn.ConstantPad1d((conv_kernel_size - 1, 0), 0.0),
                nn.Conv1d(width, conv_channels, conv_kernel_size),
                nn.ReLU(),
            )
            width = conv_channels
        else:
            self.conv = None
        self.rnn = CELLS[cell](
            width,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        directions = 2 if bidirectional else 1
        features = hidden_size * directions
        head_features = features + (fcn_channels[-1] if fcn_channels else 0)
        if sequence_summary and vocab_size is None:
            head_features += 2 * n_inputs  # each input's level and log-spread
        if pooling == "attention":
            self.attention = nn.Sequential(
                nn.Linear(features, hidden_size), nn.Tanh(), nn.Linear(hidden_size, 1)
            )
        else:
            self.attention = None
        self.head = nn.Linear(head_features, n_outputs)
        self._initialise(cell)

    def _initialise(self, cell):
        """Orthogonal recurrent weights, Xavier input weights, zero biases, small
        uniform token embeddings (the padding row stays 0) and, for the LSTM, a
        forget-gate bias of 1 so that memory is kept at the start of training."""
        if self.embedding is not None:
            nn.init.uniform_(self.embedding.weight, -EMBEDDING_INIT, EMBEDDING_INIT)
            with torch.no_grad():
                self.embedding.weight[0].zero_()
        hidden = self.rnn.hidden_size
        for name, param in self.rnn.named_parameters():
            if name.startswith("weight_hh"):
                for gate in param.data.split(hidden):
                    nn.init.orthogonal_(gate)
            elif name.startswith("weight_ih"):
                for gate in param.data.split(hidden):
                    nn.init.xavier_uniform_(gate)
            else:
                nn.init.zeros_(param)
                if cell == "lstm" and name.startswith("bias_ih"):
                    param.data[hidden : 2 * hidden] = 1.0

    def forward(self, x, lengths=None):
        """Encode a batch of right-aligned sequences.

        Parameters
        ----------
        x : Tensor of shape (B, T, f) float or (B, T) long token ids
            Front-padded sequences (NaN or 0 in the padding).
        lengths : Tensor of shape (B,), int64, or None
            Valid steps of each sequence. None says that every sequence is full-length,
            which the training loop knows once per fit: the recurrence then starts at
            step 0 and "last" pooling reads the final state, whose backward pass is
            cheaper than a gradient entering at each sequence's own last step.
        """
        if lengths is not None:
            lengths = lengths.to(x.device)
        if self.rnn.bidirectional:
            return self._forward_packed(x, lengths)
        summary = None
        if self.embedding is not None:
            x = self.embedding(x if lengths is None else _left_align(x, lengths))
        else:
            x, summary = self._summarise(self._standardise(x))
            if lengths is not None:
                # Left-aligning reads valid steps only: NaN padding never reaches a weight.
                x = _left_align(x, lengths)
        x = self.input_dropout(x)
        valid = None
        if lengths is not None:
            valid = torch.arange(x.shape[1], device=x.device)[None, :] < lengths[:, None]
        branch = self._fcn_features(x, lengths, valid)
        if self.conv is not None:
            x = self.conv(x.transpose(1, 2)).transpose(1, 2)
        out, state = self._run_rnn(x)
        if lengths is None:
            return self._head(self._pool(out, state, None, None), branch, summary)
        if self.pooling == "last":
            last = (lengths - 1)[:, None, None].expand(-1, 1, out.shape[2])
            return self._head(torch.gather(out, 1, last).squeeze(1), branch, summary)
        return self._head(self._pool(out, None, lengths, valid), branch, summary)

    def _forward_packed(self, x, lengths):
        """Bidirectional networks: the backward direction must start at each sequence's
        own last step, which packing gives; full batches skip it."""
        n_steps = x.shape[1]
        padded = lengths is not None and bool((lengths < n_steps).any())
        summary = None
        if self.embedding is not None:
            if padded:
                x = _left_align(x, lengths)
            x = self.embedding(x)
        else:
            x, summary = self._summarise(self._standardise(x))
            if padded:
                x = _left_align(x, lengths)
                mask = torch.arange(n_steps, device=x.device) >= lengths[:, None]
                x = x.masked_fill(mask[:, :, None], 0.0)
        x = self.input_dropout(x)
        valid = None
        if padded:
            valid = torch.arange(n_steps, device=x.device)[None, :] < lengths[:, None]
        branch = self._fcn_features(x, lengths if padded else None, valid)
        if self.conv is not None:
            x = self.conv(x.transpose(1, 2)).transpose(1, 2)
        if padded:
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
            out, state = self._run_rnn(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=n_steps)
        else:
            out, state = self._run_rnn(x)
        return self._head(self._pool(out, state, lengths, valid), branch, summary)

    def forward_steps(self, x):
        """Head outputs at every step of full-length sequences x (B, T, f): for a
        unidirectional network with "last" pooling, step t's output is the prediction
        from steps 0..t (sequence-mode training)."""
        x = self.input_dropout(self._standardise(x))
        if self.conv is not None:
            x = self.conv(x.transpose(1, 2)).transpose(1, 2)
        out, _ = self._run_rnn(x)
        return self.head(out)

    def _standardise(self, x):
        if self.input_transform == "last":
            x = x - x[:, -1:]  # right-aligned: step -1 is every sequence's last observation
        elif self.input_transform == "diff":
            change = torch.nan_to_num(x[:, 1:] - x[:, :-1], nan=0.0)  # 0 at the first step
            x = torch.cat([torch.zeros_like(x[:, :1]), change], dim=1)
        return (x - self.input_shift) / self.input_scale

    def _summarise(self, x):
        """(x beside its per-sequence z-score, each sequence's level and log-spread)
        with sequence_summary, else (x, None). After the training set's
        standardisation, so that levels and spreads are on one scale across sequences."""
        if getattr(self, "sequence_summary", False):
            return summarise_each_sequence(x)
        return x, None

    def _fcn_features(self, x, lengths, valid):
        """The fully convolutional branch's features of left-aligned x, or None."""
        if getattr(self, "fcn", None) is None:
            return None
        return self.fcn(x, lengths, valid)

    def _head(self, pooled, *extras):
        """The head over the pooled recurrent features and the extra features (the
        convolutional branch's, each sequence's summary) that are not None."""
        features = [pooled, *(extra for extra in extras if extra is not None)]
        return self.head(features[0] if len(features) == 1 else torch.cat(features, dim=1))

    def _run_rnn(self, x):
        if not (self.training and self.recurrent_dropout > 0):
            return self.rnn(x)
        # DropConnect on the hidden-to-hidden weights: the recurrence itself stays one
        # fused cuDNN / oneDNN call, which per-step dropout masks would rule out.
        weights = {
            name: nn.functional.dropout(param, self.recurrent_dropout)
            if name.startswith("weight_hh")
            else param
            for name, param in self.rnn.named_parameters()
        }
        return functional_call(self.rnn, weights, (x,))

    def _pool(self, out, state, lengths, valid):
        """One vector per sequence from the outputs ``out``; ``valid`` (B, T) marks the
        steps that count (None: all of them)."""
        if self.pooling == "last":
            hidden = state[0] if isinstance(state, tuple) else state
            if self.rnn.bidirectional:
                return torch.cat([hidden[-2], hidden[-1]], dim=1)
            return hidden[-1]
        if self.pooling == "mean":
            if valid is None:
                return out.mean(dim=1)
            total = (out * valid[:, :, None]).sum(dim=1)
            return total / lengths.to(out.dtype)[:, None]
        if self.pooling == "max":
            if valid is None:
                return out.amax(dim=1)
            return out.masked_fill(~valid[:, :, None], float("-inf")).amax(dim=1)
        scores = self.attention(out).squeeze(2)
        if valid is not None:
            scores = scores.masked_fill(~valid, float("-inf"))
        weights = torch.softmax(scores, dim=1)
        return (weights[:, :, None] * out).sum(dim=1)


class FullyConvolutionalBranch(nn.Module):
    """Conv1d ("same" padding) + batch norm + ReLU blocks, averaged over each sequence's
    valid steps: one feature vector per sequence (the FCN of Wang et al. 2017, the
    convolutional half of LSTM-FCN). Kernel sizes 7, 5, then 3 for later blocks.

    Inputs are left-aligned (B, T, f) with ``valid`` (B, T) marking each sequence's
    steps: steps past a sequence's end are zeroed before every convolution, as the
    zero padding of a sequence run alone would be, and batch norm's training
    statistics count valid steps only, so padding never changes a result.
    """

    def __init__(self, n_inputs, channels):
        super().__init__()
        sizes = [n_inputs, *channels]
        # No bias: batch norm removes it, and Adam would turn its zero gradient's
        # rounding noise into full-size steps (predictions that hang on the last bits).
        self.convs = nn.ModuleList(
            nn.Conv1d(c_in, c_out, k, padding=k // 2, bias=False)
            for c_in, c_out, k in zip(sizes, sizes[1:], _fcn_kernel_sizes(len(channels)))
        )
        self.norms = nn.ModuleList(MaskedBatchNorm1d(c) for c in channels)

    def forward(self, x, lengths, valid):
        h = x.transpose(1, 2)
        mask = None if valid is None else valid[:, None, :].to(h.dtype)
        for conv, norm in zip(self.convs, self.norms):
            h = torch.relu(norm(conv(h if mask is None else h * mask), mask))
        if mask is None:
            return h.mean(dim=2)
        return (h * mask).sum(dim=2) / lengths.to(h.dtype)[:, None]


def _fcn_kernel_sizes(n_blocks):
    return [max(7 - 2 * block, 3) for block in range(n_blocks)]


class MaskedBatchNorm1d(nn.BatchNorm1d):
    """Batch norm over (B, C, T) whose training statistics count only the steps that
    ``mask`` (B, 1, T) marks (None: every step); in eval mode, plain batch norm. A
    batch of one value per channel normalises to the bias instead of raising."""

    def forward(self, h, mask=None):
        if not self.training:
            return super().forward(h)
        # Statistics in float32 whatever autocast made h (bf16, fp16): the running
        # buffers are float32, and a half-precision variance loses the small channels.
        dtype, h = h.dtype, h.float()
        if mask is None:
            if h.shape[0] * h.shape[2] > 1:  # torch's fused kernel, when it accepts the batch
                return super().forward(h).to(dtype)
            count = torch.tensor(1.0, device=h.device)
            mean, var = h.mean(dim=(0, 2)), torch.zeros_like(h[0, :, 0])
        else:
            count = mask.sum()
            mean = (h * mask).sum(dim=(0, 2)) / count
            var = (((h - mean[:, None]) * mask) ** 2).sum(dim=(0, 2)) / count
        with torch.no_grad():
            self.num_batches_tracked += 1
            unbiased = var * count / (count - 1).clamp(min=1)
            self.running_mean.lerp_(mean, self.momentum)
            self.running_var.lerp_(unbiased, self.momentum)
        scale = self.weight / torch.sqrt(var + self.eps)
        return ((h - mean[:, None]) * scale[:, None] + self.bias[:, None]).to(dtype)


def _left_align(x, lengths):
    """Move each front-padded sequence to start at position 0.

    Positions after a sequence's end repeat its last step: a unidirectional recurrence
    is causal and pooling masks them, so they never change a result, and the padding
    itself (NaN) is never read.
    """
    n_steps = x.shape[1]
    start = n_steps - lengths
    source = torch.arange(n_steps, device=x.device)[None, :] + start[:, None]
    source = source.clamp(max=n_steps - 1)
    if x.dim() == 3:
        source = source[:, :, None].expand(-1, -1, x.shape[2])
    return torch.gather(x, 1, source)


def count_parameters(module):
    return sum(p.numel() for p in module.parameters())


def is_quantized(network):
    """Whether ``network`` holds int8 layers made by :func:`lstmforecast.quantize`."""
    return any(type(m).__module__.startswith("torch.ao.nn.quantized") for m in network.modules())
