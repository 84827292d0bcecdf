"""torch's intra-op thread count, set for a block of code and restored after it."""

import sys
import threading
from contextlib import contextmanager

__all__ = ["torch_threads", "training_threads"]

# A recurrent step multiplies a (batch, hidden) state by a (hidden, 4 * hidden) matrix: below
# about 2**24 multiply-adds a second thread only adds synchronisation, and while anything
# else runs on the machine torch's spinning workers make a default fit many times slower
# than one thread (benchmarks/speed/threads.py). Every default configuration sits below this.
_WORK_FOR_MORE_THREADS = 2**24

_lock = threading.Lock()
_active = 0  # blocks running now, in any thread of the process
_saved = None  # torch's setting before the first of them


def training_threads(n_threads, *, batch_size, hidden_size, device):
    """The intra-op threads for an estimator's ``n_threads`` parameter (None: as is).

    ``"auto"`` is one thread on the CPU unless a step's work is large enough to gain from
    more, in which case torch's current setting is kept (it never raises the count that
    the user, or an enclosing :func:`torch_threads`, has set).
    """
    if n_threads != "auto":
        return n_threads
    if getattr(device, "type", device) != "cpu":
        return None  # the work runs on the accelerator; the host threads only feed it
    return None if batch_size * hidden_size * hidden_size >= _WORK_FOR_MORE_THREADS else 1


@contextmanager
def torch_threads(n_threads):
    """Run the block with torch limited to ``n_threads`` intra-op threads (None: as is).

    The setting is process-wide. Blocks may overlap (fits in threads of one process):
    each sets its count on entry, and torch's original setting comes back when the last
    of them ends, never in between. torch is never imported here: without it there is
    nothing to limit.
    """
    global _active, _saved
    torch = sys.modules.get("torch")
    if n_threads is None or torch is None:
        yield
        return
    with _lock:
        if _active == 0:
            _saved = torch.get_num_threads()
        _active += 1
        if torch.get_num_threads() != n_threads:
            torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and torch.get_num_threads() != _saved:
                torch.set_num_threads(_saved)
