"""Regenerate the everyday artefacts that `aibom scan` must pass clean.

Not run in CI (CI has neither torch nor scikit-learn). Run by hand after installing the
libraries into the machine's Python, then commit what changed:

    python3 -m pip install "torch==2.13.0+cpu" scikit-learn joblib pandas numpy \
        transformers accelerate lightning h5py
    python3 tests/scan/assets/make_assets.py

Every artefact is written by the real library's own save function on tiny, made-up data,
so the files stay small (the whole folder is well under 2 MB). Optional libraries
(transformers, lightning, h5py) are used when installed; their artefacts are skipped
otherwise. The Keras .h5 files are laid out by h5py as Keras 2 writes them (TensorFlow is
too heavy to install for this); hostile/ holds the one deliberately dangerous asset.
"""

from __future__ import annotations

import pickle
import random
import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import torch
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

HERE = Path(__file__).resolve().parent
OUT = HERE / "benign"


def _sklearn() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    y = (x[:, 0] > 0).astype(int)
    pipe = Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(x, y)
    forest = RandomForestClassifier(n_estimators=2, max_depth=2, random_state=0).fit(x, y)
    hgb = HistGradientBoostingClassifier(max_iter=2, random_state=0).fit(x, y)
    onehot = OneHotEncoder().fit(np.array([["a"], ["b"]], dtype=object))
    out = OUT / "sklearn"
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipe, out / "pipeline.joblib")
    for method in ("zlib", "gzip", "bz2", "lzma", "xz"):
        joblib.dump(pipe, out / f"pipeline.{method}.joblib", compress=(method, 3))
    joblib.dump(forest, out / "forest.joblib", compress=3)
    joblib.dump(hgb, out / "hist_gradient_boosting.joblib")
    joblib.dump(onehot, out / "onehot_object_array.joblib")  # categories_: object arrays
    with open(out / "pipeline.pkl", "wb") as handle:
        pickle.dump(pipe, handle, protocol=5)
    with open(out / "forest_protocol2.pkl", "wb") as handle:
        pickle.dump(forest, handle, protocol=2)


def _numpy_pandas() -> None:
    out = OUT / "numpy"
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "floats.npy", np.arange(6, dtype=np.float32).reshape(2, 3))
    np.save(out / "objects.npy", np.array([("a", 1), None, 2.5], dtype=object), allow_pickle=True)
    record = np.zeros(2, dtype=[("name", "U4"), ("value", "<f8"), ("pair", "<i4", (2,))])
    np.save(out / "records.npy", record)
    np.savez(out / "arrays.npz", a=np.arange(3), b=np.eye(2))
    np.savez_compressed(out / "arrays_compressed.npz", a=np.arange(3), words=np.array(["x", "y"]))
    with open(out / "random_state.pkl", "wb") as handle:
        pickle.dump({"legacy": np.random.RandomState(0), "gen": np.random.default_rng(0)}, handle)

    out = OUT / "pandas"
    out.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({
        "n": [1, 2, 3], "x": [0.5, 1.5, None], "s": ["a", "b", "c"],
        "when": pd.date_range("2024-01-01", periods=3, freq="D", tz="UTC"),
        "cat": pd.Categorical(["u", "v", "u"]),
    }).set_index(pd.Index([10, 20, 30], name="id"))
    frame.to_pickle(out / "frame.pkl")
    frame.to_pickle(out / "frame.pkl.gz")
    frame["s"].to_pickle(out / "series.pkl")


def _torch() -> None:
    out = OUT / "torch"
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3), torch.nn.ReLU(),
                              torch.nn.Linear(3, 2))
    torch.save(net.state_dict(), out / "state_dict.pt")
    legacy = out / "state_dict_legacy.bin"
    torch.save(net.state_dict(), legacy, _use_new_zipfile_serialization=False)
    torch.save(net, out / "full_model.pt")  # a full checkpoint of built-in modules
    optim = torch.optim.AdamW(net.parameters(), lr=1e-3)
    net(torch.ones(1, 4)).sum().backward()
    optim.step()
    sched = torch.optim.lr_scheduler.LambdaLR(optim, lambda step: 1.0)
    sched.step()
    torch.save({"epoch": 1, "model": net.state_dict(), "optimizer": optim.state_dict(),
                "loss": torch.tensor(0.25), "half": net[0].weight.half()}, out / "checkpoint.pth")
    # The files a Hugging Face Trainer writes next to the weights in checkpoint-N/.
    hf = OUT / "hf-trainer-checkpoint"
    hf.mkdir(parents=True, exist_ok=True)
    torch.save(optim.state_dict(), hf / "optimizer.pt")
    torch.save(sched.state_dict(), hf / "scheduler.pt")
    torch.save({"python": random.getstate(), "numpy": np.random.get_state(),
                "cpu": torch.random.get_rng_state()}, hf / "rng_state.pth")
    try:
        from transformers import TrainingArguments
    except ImportError:
        print("transformers not installed: training_args.bin skipped", file=sys.stderr)
    else:
        args = TrainingArguments(output_dir=str(hf), report_to=[], use_cpu=True)
        torch.save(args, hf / "training_args.bin")
    _lightning(out)


def _lightning(out: Path) -> None:
    try:
        import lightning as L
    except ImportError:
        print("lightning not installed: lightning.ckpt skipped", file=sys.stderr)
        return

    class Tiny(L.LightningModule):
        def __init__(self, width: int = 2) -> None:
            super().__init__()
            self.save_hyperparameters()
            self.layer = torch.nn.Linear(width, 1)

        def training_step(self, batch, _):  # type: ignore[no-untyped-def]
            return self.layer(batch[0]).sum()

        def configure_optimizers(self):  # type: ignore[no-untyped-def]
            return torch.optim.SGD(self.parameters(), lr=0.1)

    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(4, 2)))
    trainer = L.Trainer(max_epochs=1, logger=False, enable_progress_bar=False,
                        enable_checkpointing=False,
                        enable_model_summary=False, default_root_dir=str(out / "_lightning"))
    trainer.fit(Tiny(), data)
    trainer.save_checkpoint(out / "lightning.ckpt")


def _keras_h5() -> None:
    """HDF5 files laid out as Keras 2 saves them (a model_config JSON attribute on the root,
    weights in groups), written with h5py: Keras itself needs TensorFlow, far too heavy here.
    The Lambda one carries base64 marshalled bytecode as Keras does (never executed)."""
    try:
        import h5py
    except ImportError:
        print("h5py not installed: keras .h5 files skipped", file=sys.stderr)
        return
    import base64
    import json
    import marshal

    dense = {"class_name": "Dense", "config": {"name": "dense", "units": 2}}
    code = base64.b64encode(marshal.dumps((lambda x: x * 2).__code__)).decode()
    lam = {"class_name": "Lambda",
           "config": {"name": "double", "function": [code, None, None],
                      "function_type": "lambda"}}
    for folder, layers in (("benign", [dense]), ("hostile", [dense, lam])):
        out = HERE / folder / "keras"
        out.mkdir(parents=True, exist_ok=True)
        config = {"class_name": "Sequential", "config": {"name": "seq", "layers": layers}}
        with h5py.File(out / "model.h5", "w") as f:
            f.attrs["model_config"] = json.dumps(config).encode()
            f.attrs["keras_version"] = b"2.15.0"
            f.create_group("model_weights").create_dataset(
                "dense/kernel", data=np.ones((3, 2), dtype=np.float32))


if __name__ == "__main__":
    _keras_h5()
    _sklearn()
    _numpy_pandas()
    _torch()
