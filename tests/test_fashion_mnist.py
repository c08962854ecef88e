"""Fashion-MNIST on real data: offline resolution, checks, the fast loader's values."""

import shutil

import pytest
import torch
from torchvision import transforms

import d2lnotes as d2l
from d2lnotes import fashion_mnist as fm


def test_real_dataset_sizes_and_labels(fashion_mnist_root):
    train, test = d2l.fashion_mnist_datasets(root=fashion_mnist_root)
    assert (len(train), len(test)) == (60000, 10000)
    assert train.data.shape == (60000, 28, 28) and test.data.shape == (10000, 28, 28)
    assert torch.equal(torch.bincount(train.targets), torch.full((10,), 6000))
    assert torch.equal(torch.bincount(test.targets), torch.full((10,), 1000))


def test_text_labels():
    assert d2l.get_fashion_mnist_labels(torch.tensor([0, 9, 5])) == [
        "t-shirt", "ankle boot", "sandal"]
    assert d2l.get_fashion_mnist_labels([1, 2]) == ["trouser", "pullover"]


def test_fast_loader_matches_to_tensor(fashion_mnist_root):
    train_iter, test_iter = d2l.load_data_fashion_mnist(256, root=fashion_mnist_root)
    assert len(train_iter) == 235 and len(test_iter) == 40
    X, y = next(iter(test_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    _, test = d2l.fashion_mnist_datasets(transforms.ToTensor(), root=fashion_mnist_root)
    expected = torch.stack([test[i][0] for i in range(256)])
    assert torch.equal(X, expected)  # bit for bit what ToTensor gives
    assert torch.equal(y, test.targets[:256])


def test_training_iterator_reshuffles_every_epoch_and_covers_all(fashion_mnist_root):
    train_iter, _ = d2l.load_data_fashion_mnist(1000, root=fashion_mnist_root)
    first = torch.cat([y for _, y in train_iter])
    second = torch.cat([y for _, y in train_iter])
    assert len(first) == 60000 and not torch.equal(first, second)
    assert torch.equal(torch.bincount(first), torch.full((10,), 6000))
    torch.manual_seed(3)
    a = next(iter(train_iter))[1]
    torch.manual_seed(3)
    b = next(iter(train_iter))[1]
    assert torch.equal(a, b)  # the global seed makes the order repeatable


def test_resize_per_batch_equals_pil(fashion_mnist_root):
    _, test_iter = d2l.load_data_fashion_mnist(32, resize=64, root=fashion_mnist_root)
    X, y = next(iter(test_iter))
    assert X.shape == (32, 1, 64, 64) and X.dtype == torch.float32 and y.dtype == torch.int64
    trans = transforms.Compose([transforms.Resize(64), transforms.ToTensor()])
    _, test = d2l.fashion_mnist_datasets(trans, root=fashion_mnist_root)
    expected = torch.stack([test[i][0] for i in range(32)])
    assert torch.equal(X, expected)  # the same antialiased bilinear arithmetic as PIL


@pytest.mark.parametrize("bad", [0, -1, 2.5, "256", True])
def test_bad_batch_size(bad, fashion_mnist_root):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        d2l.load_data_fashion_mnist(bad, root=fashion_mnist_root)


def test_bad_resize(fashion_mnist_root):
    with pytest.raises(ValueError, match="resize must be"):
        d2l.load_data_fashion_mnist(8, resize=(0, 3), root=fashion_mnist_root)
    _, test_iter = d2l.load_data_fashion_mnist_classic(8, resize=0, num_workers=0)
    with pytest.raises(ValueError, match="must be > 0"):  # not silently left unresized
        next(iter(test_iter))


def _no_system_copy_no_network(monkeypatch):
    monkeypatch.setattr(fm, "SYSTEM_DIRS", [])

    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")

    import torchvision.datasets.mnist as mnist_mod
    monkeypatch.setattr(mnist_mod, "download_and_extract_archive", refuse)


def test_missing_data_offline_says_how_to_get_it(tmp_path, monkeypatch):
    _no_system_copy_no_network(monkeypatch)
    with pytest.raises(RuntimeError) as info:
        d2l.load_data_fashion_mnist(256, root=tmp_path)
    message = str(info.value)
    assert "could not be downloaded" in message and "network is unreachable" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert str(tmp_path / "FashionMNIST" / "raw") in message
    assert "train-images-idx3-ubyte.gz" in message


def test_gz_files_in_the_data_dir_are_used_offline(tmp_path, monkeypatch):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in fm.FILES:
        shutil.copy(fm_system_file(name), raw / (name + ".gz"))
    _no_system_copy_no_network(monkeypatch)
    train, test = d2l.fashion_mnist_datasets(root=tmp_path)
    assert len(train) == 60000 and len(test) == 10000
    assert (raw / (fm.FILES[0] + ".gz")).exists()  # the user's files are left in place


def fm_system_file(name):
    for d in fm.SYSTEM_DIRS:
        if (d / (name + ".gz")).is_file():
            return d / (name + ".gz")
    pytest.fail("the real Fashion-MNIST .gz files are needed: "
                "apt-get install dataset-fashion-mnist")


def _copy_raw(src_root, dst_root):
    shutil.copytree(src_root / "FashionMNIST" / "raw", dst_root / "FashionMNIST" / "raw")
    return dst_root / "FashionMNIST" / "raw"


def test_truncated_file_is_rejected(fashion_mnist_root, tmp_path, monkeypatch):
    raw = _copy_raw(fashion_mnist_root, tmp_path)
    path = raw / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:100000])
    _no_system_copy_no_network(monkeypatch)
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        d2l.load_data_fashion_mnist(256, root=tmp_path)


def test_wrong_labels_are_rejected(fashion_mnist_root, tmp_path, monkeypatch):
    raw = _copy_raw(fashion_mnist_root, tmp_path)
    path = raw / "train-labels-idx1-ubyte"
    data = bytearray(path.read_bytes())
    data[-1] = 42  # a label outside 0..9
    path.write_bytes(bytes(data))
    _no_system_copy_no_network(monkeypatch)
    with pytest.raises(RuntimeError, match=r"labels span 0\.\.42, expected 0\.\.9"):
        d2l.fashion_mnist_datasets(root=tmp_path)


def test_truncated_gz_is_rejected_without_leaving_half_files(tmp_path, monkeypatch):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for name in fm.FILES:
        shutil.copy(fm_system_file(name), raw / (name + ".gz"))
    gz = raw / "train-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:5000])
    _no_system_copy_no_network(monkeypatch)
    with pytest.raises(RuntimeError, match="truncated or not a gzip file"):
        d2l.fashion_mnist_datasets(root=tmp_path)
    assert not (raw / "train-images-idx3-ubyte").exists()
    assert not list(raw.glob("*.part"))


def test_classic_pipeline_same_values(fashion_mnist_root):
    _, classic = d2l.load_data_fashion_mnist_classic(64, num_workers=0)
    _, fast = d2l.load_data_fashion_mnist(64, root=fashion_mnist_root)
    (Xc, yc), (Xf, yf) = next(iter(classic)), next(iter(fast))
    assert torch.equal(Xc, Xf) and torch.equal(yc, yf)


def test_data_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("D2L_DATA_DIR", str(tmp_path / "d"))
    assert d2l.data_dir() == tmp_path / "d" and (tmp_path / "d").is_dir()
    monkeypatch.delenv("D2L_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert d2l.data_dir() == tmp_path / "cache" / "d2lnotes" / "data"



def test_tensor_cache_skips_torchvision_and_follows_the_files(fashion_mnist_root, tmp_path,
                                                              monkeypatch):
    raw = _copy_raw(fashion_mnist_root, tmp_path)
    _no_system_copy_no_network(monkeypatch)
    first = fm._split_tensors(tmp_path)
    assert (tmp_path / "FashionMNIST" / "d2lnotes-tensors.pt").is_file()
    monkeypatch.setattr(fm, "fashion_mnist_datasets", lambda **kw: pytest.fail("cache not used"))
    second = fm._split_tensors(tmp_path)
    assert all(torch.equal(a, b) for (a, _), (b, _) in zip(first, second))
    monkeypatch.undo()
    _no_system_copy_no_network(monkeypatch)
    path = raw / "t10k-labels-idx1-ubyte"
    data = bytearray(path.read_bytes())
    data[-1] = 77  # the file changed after the cache was written
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match=r"labels span 0\.\.77"):
        d2l.load_data_fashion_mnist(256, root=tmp_path)


def test_resized_training_batches_cover_every_example(fashion_mnist_root):
    train_iter, _ = d2l.load_data_fashion_mnist(5000, resize=(14, 10), root=fashion_mnist_root)
    assert isinstance(train_iter, d2l.TensorBatches) and len(train_iter) == 12
    labels = []
    for X, y in train_iter:
        assert X.shape[1:] == (1, 14, 10) and X.dtype == torch.float32 and len(X) == len(y)
        labels.append(y)
    assert torch.equal(torch.bincount(torch.cat(labels)), torch.full((10,), 6000))
