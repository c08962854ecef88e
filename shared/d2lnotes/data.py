"""PyTorch data pipelines the book uses: TensorDataset + DataLoader."""

import multiprocessing
import os

from torch.utils import data


def load_array(data_arrays, batch_size, is_train=True):
    """Construct a PyTorch data iterator."""
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def get_dataloader_workers():
    """Number of DataLoader worker processes that is safe and useful here.

    The book hard-codes 4. ``$D2L_NUM_WORKERS`` overrides. Where processes are spawned
    rather than forked (Windows, macOS), workers started from a notebook re-import
    ``__main__`` and fail or hang, so the answer there is 0 (load in the main process).
    """
    env = os.environ.get("D2L_NUM_WORKERS")
    if env is not None:
        try:
            workers = int(env)
        except ValueError:
            workers = -1
        if workers < 0:
            raise ValueError(f"D2L_NUM_WORKERS must be an integer >= 0, got {env!r}")
        return workers
    # The default method comes first in get_all_start_methods(); asking this way does not
    # fix the start method for the rest of the session.
    start = multiprocessing.get_start_method(allow_none=True)
    if start is None:
        start = multiprocessing.get_all_start_methods()[0]
    if start != "fork":
        return 0
    return min(4, os.cpu_count() or 1)
