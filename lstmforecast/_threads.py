"""torch's intra-op thread count, set for a block of code and restored after it."""

import sys
from contextlib import contextmanager

__all__ = ["torch_threads"]


@contextmanager
def torch_threads(n_threads):
    """Run the block with torch limited to ``n_threads`` intra-op threads (None: as is).

    The setting is process-wide, so the caller sets it once around all the work that
    shares the process (e.g. every thread of a joblib threading backend) rather than
    each worker setting it. torch is never imported here: without it there is nothing
    to limit.
    """
    torch = sys.modules.get("torch")
    if n_threads is None or torch is None:
        yield
        return
    saved = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(saved)
