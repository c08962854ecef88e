"""show_images (book 3.5): a grid of images with titles."""

import matplotlib.pyplot as plt
import torch


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5):  #@save
    """Plot a list of images."""
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        if torch.is_tensor(img):
            img = img.detach().cpu()  # matplotlib draws from main memory
            if img.dim() == 3:  # (channels, height, width) -> (height, width, channels)
                img = img.permute(1, 2, 0).squeeze(2)  # one channel: (height, width)
            img = img.numpy()
        ax.imshow(img, cmap="gray")  # a colormap for one-channel images
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    return axes
