"""Checks for the exercises of 3.7 Concise implementation of softmax regression."""

import math

import torch

from .core import Exercises, call, fail

exercises = Exercises("3.7")

exercises.discussion(1)


@exercises.check(2)
def _pick_epoch(pick_epoch):
    """Early stopping: the epoch (counted from 1) with the lowest validation loss."""
    cases = [[0.9, 0.7, 0.62, 0.65, 0.71], [1.2, 1.0, 0.95, 0.94, 0.96, 0.93, 0.97],
             [0.5, 0.6, 0.7], [2.0, 1.5, 1.0]]
    for losses in cases:
        epoch = call(pick_epoch, list(losses))
        best = losses.index(min(losses)) + 1
        try:
            epoch = int(epoch)
        except (TypeError, ValueError):
            fail("pick_epoch 应返回一个迭代周期的编号（整数）。",
                 "pick_epoch should return an epoch number (an int).")
        if epoch == best:
            continue
        if epoch == best - 1:
            fail("差了一：迭代周期从 1 开始计数，而列表下标从 0 开始。",
                 "off by one: epochs count from 1, list indices from 0.")
        if epoch == len(losses):
            fail("你选了最后一个迭代周期：早停保留的是验证损失最低的那个。",
                 "you kept the last epoch: early stopping keeps the one with the lowest "
                 "validation loss.")
        if epoch == losses.index(max(losses)) + 1:
            fail("你选了验证损失最高的迭代周期：应取最低的。",
                 "you picked the epoch with the highest validation loss: take the lowest.")
        fail("这不是验证损失最低的迭代周期。",
             "that is not the epoch with the lowest validation loss.")


@exercises.check(3)
def _exp_limits(exp_limits):
    """(smallest, largest) argument of exp without underflow or overflow, per float format."""
    for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        info = torch.finfo(dtype)
        limits = call(exp_limits, dtype)
        try:
            low, high = (float(v) for v in limits)
        except (TypeError, ValueError):
            fail("exp_limits 应返回一对数 (最小, 最大)。",
                 "exp_limits should return a pair of numbers (smallest, largest).")
        name = str(dtype).replace("torch.", "")
        true_high, true_low = math.log(info.max), math.log(info.tiny)
        if math.isclose(high, math.log10(info.max), rel_tol=1e-2):
            fail(f"{name} 的最大值看起来是以 10 为底的对数：exp 对应的是自然对数 ln。",
                 f"{name}'s largest argument looks like a base-10 logarithm: "
                 f"exp needs the natural log.")
        if math.isclose(high, info.max, rel_tol=1e-2):
            fail(f"{name} 的最大值是这种格式能表示的最大数本身；"
                 f"问的是 exp 的自变量：取它的自然对数。",
                 f"{name}'s largest argument is the format's largest number itself; "
                 f"the question asks "
                 f"for the argument of exp: take its natural log.")
        if not math.isclose(high, true_high, rel_tol=1e-2):
            fail(f"{name} 的最大自变量不对：exp(x) 超过这种格式的最大有限数时就上溢"
                 f"（torch.finfo(dtype).max）。",
                 f"{name}'s largest argument is wrong: "
                 f"exp(x) overflows once it exceeds the format's "
                 f"largest finite number (torch.finfo(dtype).max).")
        if math.isclose(low, math.log(info.eps), rel_tol=1e-2):
            fail(f"{name} 的最小值用了 eps（1 之后的间隔，即精度），"
                 f"而不是最小的正数 torch.finfo(dtype).tiny。",
                 f"{name}'s smallest argument uses eps (the gap after 1, the precision) "
                 f"rather than the "
                 f"smallest positive number torch.finfo(dtype).tiny.")
        if (math.isclose(low, -true_high, rel_tol=1e-3)
                and not math.isclose(low, true_low, rel_tol=1e-2)):
            fail(f"{name} 的最小自变量不是最大自变量的相反数：下溢发生在 ln(最小正数) 处。",
                 f"{name}'s smallest argument is not minus the largest: underflow happens at "
                 f"ln(smallest positive number).")
        subnormal = math.log(info.tiny * info.eps)  # the smallest subnormal number
        zero = subnormal - math.log(2)  # below it exp rounds to exactly 0
        if not any(math.isclose(low, bound, rel_tol=1e-2) for bound in (true_low, subnormal, zero)):
            fail(f"{name} 的最小自变量不对："
                 f"exp(x) 小于最小的正规格化数 torch.finfo(dtype).tiny 时就下溢"
                 f"（计入非规格化数时是 tiny·eps；"
                 f"恰好舍入为 0 是在 tiny·eps/2 以下）。",
                 f"{name}'s smallest argument is wrong: "
                 f"exp(x) underflows below the smallest normal number torch.finfo(dtype).tiny "
                 f"(tiny·eps counting subnormal numbers; "
                 f"exactly 0 below tiny·eps/2).")


exercises.discussion(4, 5)
