"""The book's Fashion-MNIST pipeline (3.5): torchvision datasets, ToTensor, DataLoader.

A module of its own because it imports torchvision, which takes seconds; the in-memory
loader (fashion_mnist.py) does not need it once the dataset's tensors are saved.
"""

from torch.utils import data
from torchvision import transforms

import d2lnotes as d2l


def load_data_fashion_mnist_classic(batch_size, resize=None, num_workers=None):  #@save
    """Load Fashion-MNIST through torchvision and a DataLoader (the book's pipeline)."""
    trans = [transforms.ToTensor()]
    if resize is not None:
        trans.insert(0, transforms.Resize(resize))
    trans = transforms.Compose(trans)
    mnist_train, mnist_test = d2l.fashion_mnist_datasets(transform=trans)
    if num_workers is None:
        num_workers = d2l.get_dataloader_workers()
    return (data.DataLoader(mnist_train, batch_size, shuffle=True, num_workers=num_workers),
            data.DataLoader(mnist_test, batch_size, shuffle=False, num_workers=num_workers))
