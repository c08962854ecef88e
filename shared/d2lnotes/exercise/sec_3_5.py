"""Checks for the exercises of 3.5 The image classification dataset."""

import math
import numbers

from .core import Exercises, answer, fail

exercises = Exercises("3.5")


def _positive_number(value):
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(value) and value > 0)


@exercises.check(1)
def _time_per_image(seconds_per_image):
    """Time per image of TensorBatches at batch size 1 and 256: batch size 1 costs far more."""
    times = answer(seconds_per_image)
    if not isinstance(times, dict) or set(times) != {1, 256}:
        fail("请给出一个字典，键恰好是批量大小 1 和 256，值是每张图像的秒数。",
             "give a dict whose keys are the batch sizes 1 and 256 and whose values are "
             "seconds per image.")
    for size in (1, 256):
        answer(times[size])
        if not _positive_number(times[size]):
            fail(f"批量大小 {size} 的时间应是一个正数（秒），而你给出的是 {times[size]!r}。",
                 f"the time for batch size {size} should be a positive number of seconds, "
                 f"got {times[size]!r}.")
    if times[256] > 1e-3:
        fail("批量大小 256 时每张图像超过 1 毫秒：这不是内存迭代器的时间；"
             "是不是用了书中的 DataLoader，"
             "或者没有除以图像数？",
             "more than a millisecond per image at batch size 256: "
             "that is not the in-memory iterator; "
             "did you time the book's DataLoader, or forget to divide by the number of images?")
    if times[1] <= times[256]:
        fail("批量大小 1 的时间不比 256 长：你给出的可能是每个批量的时间，而不是每张图像的时间。",
             "batch size 1 is not slower than 256: these look like times per batch, not per image.")
    if times[1] < 3 * times[256]:
        fail("批量大小 1 时，内存迭代器每张图像的开销应是批量 256 时的很多倍"
             "（每个批量都有固定开销）："
             "把一遍读取的时间除以图像数，并多测几次取最短的一次。",
             "with TensorBatches, batch size 1 should cost many times more per image than 256 "
             "(every batch has a fixed cost): divide a pass's time by the number of images and "
             "take the shortest of a few passes.")


@exercises.check(2)
def _getitem_share(getitem_share):
    """The share of the reading time spent in the dataset's __getitem__, measured by a profiler."""
    share = answer(getitem_share)
    if not _positive_number(share):
        fail("请给出一个 0 到 1 之间的比例。", "give a fraction between 0 and 1.")
    if 1 < share <= 100:
        fail("这看起来是百分数：请给出 0 到 1 之间的比例（例如 0.9 而不是 90）。",
             "that looks like a percentage: give a fraction between 0 and 1 (0.9 rather than 90).")
    if share > 1:
        fail("比例不能大于 1。", "a fraction cannot exceed 1.")
    if share < 0.5:
        fail("不到一半：性能分析器只能看到本进程，用 num_workers=0 读取，"
             "再把 __getitem__ 的累计时间（cumtime）除以总时间。",
             "less than half: the profiler sees only this process, so read with num_workers=0, "
             "and divide __getitem__'s cumulative time (cumtime) by the total.")


@exercises.check(3)
def _other_datasets(other_datasets):
    """At least three other image datasets that torchvision.datasets really provides."""
    names = answer(other_datasets)
    if isinstance(names, str) or not hasattr(names, "__iter__"):
        fail("请给出一个由类名字符串组成的列表，例如 [\"名字1\", \"名字2\", \"名字3\"]。",
             "give a list of class names as strings, such as [\"Name1\", \"Name2\", \"Name3\"].")
    names = list(names)
    if not all(isinstance(n, str) for n in names):
        fail("列表中的每一项都应是类名字符串。",
             "every item of the list should be a class name, as a string.")
    from torchvision import datasets

    others = {n for n in names if n != "FashionMNIST"}
    for name in names:
        cls = getattr(datasets, name, None)
        if not (isinstance(cls, type) and issubclass(cls, datasets.VisionDataset)):
            fail(f"torchvision.datasets 中没有名为 {name!r} 的数据集类"
                 f"（注意大小写；文本和音频数据集在别的库中）。",
                 f"torchvision.datasets has no dataset class named {name!r} (mind the capitals; "
                 f"text and audio datasets live in other libraries).")
    if len(others) < 3:
        fail("请至少给出三个 Fashion-MNIST 以外的不同数据集。",
             "name at least three different datasets other than Fashion-MNIST.")
