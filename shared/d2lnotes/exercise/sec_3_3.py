"""Checks for the exercises of 3.3 Concise implementation of linear regression."""
import torch
from torch import nn

from .core import Exercises, call, fail

exercises = Exercises("3.3")


@exercises.check(1)
def _lr_for_sum(lr_for_sum):
    """The learning rate for a summed loss that reproduces SGD on the mean loss."""
    for lr_mean, batch_size in ((0.03, 10), (0.1, 4)):
        try:
            lr_sum = float(call(lr_for_sum, lr_mean, batch_size))
        except (TypeError, ValueError):
            fail("请返回一个数（学习率）。", "return a number (the learning rate).")
        tolerance = 1e-6 * lr_mean / batch_size               # a float32 answer passes
        if abs(lr_sum - lr_mean * batch_size) < tolerance:
            fail("用总和时梯度大了 batch_size 倍：学习率应该变小，而不是变大。",
                 "with the sum the gradients are batch_size times larger: the learning rate must "
                 "shrink, not grow.")
        if abs(lr_sum - lr_mean / batch_size) > tolerance:
            fail(f"对 lr = {lr_mean}、批量大小 {batch_size}，你的学习率 {lr_sum:g} "
                 "走出的步长与原来不同：比较两种损失的梯度。",
                 f"for lr = {lr_mean} and batch size {batch_size}, your rate {lr_sum:g} takes "
                 "different steps: "
                 f"compare the gradients of the two losses.")


@exercises.check(2)
def _huber_loss(huber_loss):
    """The exercise's Huber loss, elementwise: r^2 / (2 sigma) inside, |r| - sigma / 2 outside."""
    r = torch.linspace(-4, 4, 33).reshape(-1, 1)
    zero = torch.zeros(33)                              # labels as a vector
    for sigma in (0.5, 2.0):
        out = call(huber_loss, r.clone(), zero.clone(), sigma)
        if not isinstance(out, torch.Tensor):
            fail("huber_loss 应当返回一个张量。", "huber_loss should return a tensor.")
        if out.numel() == 1:
            fail("每个样本返回一个损失（形状与 y_hat 相同）。", "return one loss per example (the "
                                              "shape of y_hat).")
        if tuple(out.shape) != (33, 1):
            fail(f"结果的形状应与 y_hat 相同 (33, 1)，而你的是 {tuple(out.shape)}：y 需要变形吗？",
                 f"the result should have y_hat's shape (33, 1), yours is {tuple(out.shape)}: "
                 "does y need a reshape?")
        expected = nn.SmoothL1Loss(beta=sigma, reduction="none")(r, zero.reshape(-1, 1))
        inside = r.abs() <= sigma
        outside = ~inside
        if torch.allclose(out[outside], (r.abs() - sigma)[outside]):
            fail("你的损失在 |r| = σ 处跳变：两个分支在那里必须相等。",
                 "your loss jumps at |r| = σ: the two branches must agree there.")
        if not torch.allclose(out[inside], expected[inside]):
            fail(f"σ = {sigma} 时，|r| ≤ σ 一段不对：那里的损失是 r²/(2σ)。",
                 f"for σ = {sigma} the part |r| ≤ σ is wrong: there the loss is r²/(2σ).")
        if not torch.allclose(out, expected):
            fail(f"σ = {sigma} 时，|r| > σ 一段不对。", f"for σ = {sigma} the part |r| > σ is "
                                                 "wrong.")


@exercises.check(3)
def _weight_grad(weight_grad):
    """The gradient of nn.MSELoss with respect to net[0].weight, also when asked twice."""
    gen = torch.Generator().manual_seed(0)
    X, y = torch.randn(10, 2, generator=gen), torch.randn(10, 1, generator=gen)
    net = nn.Sequential(nn.Linear(2, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[0.5, -1.0]]))
        net[0].bias.fill_(0.2)
    residual = (net(X) - y).detach()
    expected = 2 / len(y) * residual.T @ X
    for attempt in (1, 2):
        grad = call(weight_grad, net, X, y)
        if not isinstance(grad, torch.Tensor):
            fail("请返回一个张量（梯度）。", "return a tensor (the gradient).")
        grad = grad.detach()
        if tuple(grad.shape) != (1, 2):
            fail(f"权重的梯度与权重形状相同 (1, 2)，而你的是 {tuple(grad.shape)}。",
                 "the weight's gradient has the weight's shape (1, 2), yours is "
                 f"{tuple(grad.shape)}.")
        if torch.allclose(grad, net[0].weight.detach()):
            fail("这是权重本身，不是它的梯度。", "that is the weight itself, not its gradient.")
        if attempt == 2 and torch.allclose(grad, 2 * expected, atol=1e-6):
            fail("第二次调用给出了两倍的梯度：梯度会累积，先把它清零。",
                 "the second call gives twice the gradient: gradients accumulate, zero them first.")
        if not torch.allclose(grad, expected, atol=1e-6):
            fail("这不是 nn.MSELoss()(net(X), y) 对权重的梯度。",
                 "this is not the gradient of nn.MSELoss()(net(X), y) with respect to the weight.")


exercises.discussion(4, 5)
