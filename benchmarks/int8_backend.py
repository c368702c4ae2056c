"""Would an int8 copy of the bundled model keep quality? Quantize, time, evaluate.

    python benchmarks/int8_backend.py        # a few minutes on 2 cores

Makes an int8 copy of the bundled all-MiniLM-L6-v2 in memory (PyTorch dynamic
quantization of every ``nn.Linear`` of the transformer; nothing is written to disk)
and reports in ONE JSON line: the load average at start, torch's thread count (left
as the library leaves it), texts per second of the bundled (fp32) and the int8 model
on the same texts (the 208 action and 53 concern texts of the training data, same
batch size, after a warm-up, best of 3 runs interleaved), the cosine similarity of
the two vectors of each text (mean and min), and the leave-one-prison-out macro-F1
of the theme tagger (five named themes and all nine) on each embedding, with the
same training code and synthetic anchors as ``training/train.py``. ``mixed_themes``
is the deployment case: heads trained on fp32 embeddings, held-out plan embedded
in int8 (``mixed_check`` is the same loop with fp32 at test time: it should equal
``fp32_themes``).

It is a measurement, not a shipped backend.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from static_backend import theme_f1  # noqa: E402  (the same leave-one-prison-out figure)

REPEATS = 3
BATCH = 32


def log(msg: str) -> None:
    print(f"[int8 {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Int8Embedder:
    """The bundled model with int8 dynamically quantized linear layers (Embedder interface)."""

    name = "int8-all-MiniLM-L6-v2"

    def __init__(self, model: Any, weights_hash: str) -> None:
        import torch

        self.model = copy.deepcopy(model)
        body = self.model[0].auto_model.eval()  # a read-only property: quantize in place
        torch.ao.quantization.quantize_dynamic(
            body, {torch.nn.Linear}, dtype=torch.qint8, inplace=True
        )
        if any(type(m) is torch.nn.Linear for m in self.model.modules()):
            raise RuntimeError("some nn.Linear layers were not quantized")
        self.weights_hash = f"int8-{weights_hash}"
        self.dim = int(model.get_embedding_dimension())

    def encode(self, texts, *, batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            show_progress_bar=show_progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def speeds(backends: dict[str, Any], texts: list[str]) -> dict[str, float]:
    """Texts per second of each backend, best of REPEATS runs interleaved after a warm-up."""
    for embedder in backends.values():
        embedder.encode(texts[:BATCH], batch_size=BATCH)
    best = dict.fromkeys(backends, float("inf"))
    for _ in range(REPEATS):
        for name, embedder in backends.items():
            start = time.perf_counter()
            embedder.encode(texts, batch_size=BATCH)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: round(len(texts) / s, 1) for name, s in best.items()}


def mixed_f1(train_emb: Any, test_emb: Any) -> dict[str, dict[str, float]]:
    """The shipped tagger's leave-one-prison-out loop (as in ``train_and_evaluate``),
    trained on ``train_emb``; each fold's held-out plan predicted with ``test_emb``
    ("mixed") and with ``train_emb`` ("check")."""
    from actionnlp.corpus import load_anchors, load_corpus
    from actionnlp.labels import REQUIRED_THEMES, THEMES
    from actionnlp.themes.training import _align, _indicator, _macro, shipped_tagger, theme_items

    data = ROOT / "training" / "data"
    items = theme_items(*load_corpus(data))
    anchor_texts, anchor_labels = load_anchors(data)
    pairs = list(zip(items["text"], items["context"], strict=True))
    Y = _indicator(items["themes"].tolist())
    pooled = {"mixed": np.zeros_like(Y), "check": np.zeros_like(Y)}
    for plan in sorted(items["plan"].unique()):
        test = (items["plan"] == plan).to_numpy()
        labels = [list(t) for t in items.loc[~test, "themes"]] + anchor_labels
        tagger = shipped_tagger(train_emb, 0)
        tagger.fit([pairs[i] for i in np.where(~test)[0]] + anchor_texts, labels)
        test_pairs = [pairs[i] for i in np.where(test)[0]]
        pooled["check"][test] = _align(tagger, tagger.predict(test_pairs))
        tagger.embedder = test_emb
        pooled["mixed"][test] = _align(tagger, tagger.predict(test_pairs))
    return {
        name: {
            "macro_f1_required": round(_macro(Y, P, REQUIRED_THEMES), 3),
            "macro_f1_all": round(_macro(Y, P, THEMES), 3),
        }
        for name, P in pooled.items()
    }


def main() -> int:
    import torch

    from actionnlp.corpus import load_corpus
    from actionnlp.embed import default_embedder
    from actionnlp.themes.training import shipped_tagger

    out: dict[str, Any] = {"loadavg_start": [round(x, 2) for x in os.getloadavg()]}
    out["torch_threads"] = torch.get_num_threads()
    # the shipped tagger setting the F1 figures use (Platt scaling on or off)
    out["calibrate"] = shipped_tagger(None).get_params().get("calibrate", False)
    fp32 = default_embedder()
    model = fp32._load()
    log("quantizing")
    start = time.perf_counter()
    int8 = Int8Embedder(model, fp32.weights_hash)
    out["quantize_s"] = round(time.perf_counter() - start, 1)
    concerns, actions = load_corpus(ROOT / "training" / "data")
    texts = actions["action_text"].tolist() + concerns["text"].tolist()
    out["n_texts"], out["batch_size"], out["repeats"] = len(texts), BATCH, REPEATS
    log(f"speed on {len(texts)} texts")
    rates = speeds({"fp32": fp32, "int8": int8}, texts)
    out["fp32_texts_per_s"], out["int8_texts_per_s"] = rates["fp32"], rates["int8"]
    out["speedup"] = round(rates["int8"] / rates["fp32"], 2)
    cos = np.sum(fp32.encode(texts) * int8.encode(texts), axis=1)
    out["cosine_mean"], out["cosine_min"] = round(float(cos.mean()), 4), round(float(cos.min()), 4)
    log("themes, leave-one-prison-out: fp32")
    out["fp32_themes"] = theme_f1(fp32)
    log("themes, leave-one-prison-out: int8")
    out["int8_themes"] = theme_f1(int8)
    log("themes, leave-one-prison-out: trained fp32, tested int8")
    mixed = mixed_f1(fp32, int8)
    out["mixed_themes"], out["mixed_check"] = mixed["mixed"], mixed["check"]
    out["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
