"""Would a static (model2vec-style) embedding keep quality? Distil, time, evaluate.

    python benchmarks/static_backend.py        # about 3 minutes on 2 cores

Distils one vector per word piece from the bundled all-MiniLM-L6-v2 (each token
through the transformer as ``[CLS] token [SEP]``, mean-pooled like the model's own
pooling), embeds a text as the mean of its word-piece vectors, and reports in ONE
JSON line: distillation seconds, texts per second for the static and the bundled
model on the same texts in the same run, and the leave-one-prison-out macro-F1 of
the theme tagger (five named themes and all nine) on each embedding, with the
same training code and synthetic anchors as ``training/train.py``.

It is a measurement, not a shipped backend: the figures are in
``docs/performance.md``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def log(msg: str) -> None:
    print(f"[static {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def distil(model: Any, batch: int = 512) -> np.ndarray:
    """One 384-d vector per vocabulary id (zeros for ``[unused*]`` ids)."""
    import torch

    tok, body = model.tokenizer, model[0].auto_model.eval()
    vocab = tok.get_vocab()
    ids = sorted(i for t, i in vocab.items() if not t.startswith("[unused"))
    out = np.zeros((len(vocab), body.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for k in range(0, len(ids), batch):
            chunk = ids[k : k + batch]
            x = torch.tensor([[tok.cls_token_id, i, tok.sep_token_id] for i in chunk])
            hidden = body(input_ids=x, attention_mask=torch.ones_like(x)).last_hidden_state
            out[chunk] = hidden.mean(1).numpy()
    return out


class StaticEmbedder:
    """Mean of distilled word-piece vectors, unit norm (the Embedder interface)."""

    name = "static-all-MiniLM-L6-v2"
    weights_hash = "0" * 64

    def __init__(self, vectors: np.ndarray, tokenizer: Any) -> None:
        self.vectors = vectors
        self.tokenizer = tokenizer
        self.dim = vectors.shape[1]

    def encode(self, texts, *, batch_size: int = 32, show_progress: bool = False) -> np.ndarray:
        ids = self.tokenizer(
            list(texts), add_special_tokens=False, truncation=True, max_length=256
        )["input_ids"]
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        for i, row in enumerate(ids):
            if row:
                out[i] = self.vectors[row].mean(0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def rate(embedder: Any, texts: list[str]) -> float:
    start = time.perf_counter()
    embedder.encode(texts, batch_size=32)
    return round(len(texts) / (time.perf_counter() - start), 1)


def theme_f1(embedder: Any) -> dict[str, float]:
    from actionnlp.corpus import load_anchors, load_corpus
    from actionnlp.themes.training import train_and_evaluate

    data = ROOT / "training" / "data"
    concerns, actions = load_corpus(data)
    _, metrics = train_and_evaluate(
        concerns, actions, embedder=embedder, anchors=load_anchors(data), seed=0
    )
    model = metrics["models"]["embedding+logreg"]
    return {k: round(model[k], 3) for k in ("macro_f1_required", "macro_f1_all")}


def main() -> int:
    from actionnlp.corpus import load_corpus
    from actionnlp.embed import default_embedder

    real = default_embedder()
    model = real._load()
    log("distilling word-piece vectors")
    start = time.perf_counter()
    static = StaticEmbedder(distil(model), model.tokenizer)
    out: dict[str, Any] = {"distil_s": round(time.perf_counter() - start, 1)}
    _, actions = load_corpus(ROOT / "training" / "data")
    texts = [f"{t} ({i})" for i, t in enumerate(actions["action_text"].tolist())]
    log(f"speed on {len(texts)} action texts")
    out["static_texts_per_s"] = rate(static, texts)
    out["bundled_texts_per_s"] = rate(real, texts)
    log("themes, leave-one-prison-out: static")
    out["static_themes"] = theme_f1(static)
    log("themes, leave-one-prison-out: bundled")
    out["bundled_themes"] = theme_f1(real)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
