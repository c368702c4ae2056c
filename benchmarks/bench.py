"""Benchmark actionnlp: embedding limit, end-to-end throughput, cache, import, memory, reading.

Prints ONE JSON line on stdout (progress goes to stderr)::

    python benchmarks/bench.py            # full run (several minutes on 2 cores)
    python benchmarks/bench.py --quick    # small corpus, a minute or two
    python benchmarks/bench.py --quick --fake   # reading and import only, no model (CI)

Keys: ``cores``; ``embed_limit_per_s`` (each distinct text the pipeline asks for,
encoded once in one call with the same batch size, as actions/s); ``end_to_end_per_s``
(``analyze`` on the corpus with the real model and no cache, actions/s);
``ratio`` = end_to_end / embed_limit; ``cached_speedup`` (a second ``analyze`` with
the default caches warm, :class:`~actionnlp.embed_cache.CachedEmbedder` and
:class:`~actionnlp.result_cache.ResultCache`, vs the first, cold one) and
``cached_speedup_embeddings_only`` (the second run with only the embedding cache);
``import_s``; ``peak_rss_mb`` (a subprocess analysing ``--rss-actions`` actions);
``scaling`` (seconds at 1x/4x/16x of a small base corpus); ``read_per_s`` (plans/s
per format), ``matrix_read_per_s`` (files/s per form of the layout matrix,
``tests/fixtures/layouts``; not in ``--quick``) and ``read_peak_rss_mb``; plus the
embedding call counts that show which texts are encoded more than once.

The corpus is the four bundled sample plans copied N times, each plan copy under
its own prison name ("HMP Sample 001", ...), given to ``analyze`` as a
researcher's actions table. Model loading is excluded from the timed runs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests" / "fixtures"
FORMATS = ("txt", "docx", "pdf", "html")
PLAN_FIXTURES = ("peterborough-2024", "stafford-2020")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- corpus -------------------------------------------------------------------------------


def base_actions():
    """The actions table of the four bundled samples (one row per action)."""
    from actionnlp.analysis import frames_from_plans
    from actionnlp.data import sample_paths
    from actionnlp.read import read_plans

    plans, _ = read_plans(sample_paths(), progress=False)
    return frames_from_plans(plans)[2]


def corpus(base, copies: int, *, distinct: bool = False):
    """``copies`` copies of ``base``, each plan under a new prison name.

    With ``distinct`` every copy's action and concern texts end with its prison name,
    so no text repeats across copies and every one must be embedded and parsed.
    """
    import pandas as pd

    parts, k = [], 0
    for _ in range(copies):
        for _, plan in base.groupby("source", sort=False):
            k += 1
            part = plan.copy()
            part["prison"] = f"HMP Sample {k:03d}"
            part["source"] = part["prison"]
            if distinct:
                for col in ("action_text", "concern_text"):
                    text = part[col]
                    suffixed = text.astype(str) + f" ({part['prison'].iloc[0]})"
                    part[col] = suffixed.where(text.notna() & (text != ""), text)
            parts.append(part)
    return pd.concat(parts, ignore_index=True)


def sized(base, n: int):
    """A corpus of exactly ``n`` actions (whole copies, then a slice)."""
    copies = -(-n // len(base))
    return corpus(base, copies).iloc[:n].reset_index(drop=True)


class Counting:
    """Pass-through embedder that counts the texts it is asked for."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.calls = 0
        self.texts: Counter[str] = Counter()

    name = property(lambda self: self.inner.name)
    weights_hash = property(lambda self: self.inner.weights_hash)
    dim = property(lambda self: self.inner.dim)

    def encode(self, texts, *, batch_size: int = 32, show_progress: bool = False):
        self.calls += 1
        self.texts.update(texts)
        return self.inner.encode(texts, batch_size=batch_size, show_progress=show_progress)


def loaded_models(embedder, cache_dir: str | None = None):
    """``actionnlp.load`` with every model deserialised (so timings exclude loading).

    With ``cache_dir``: the embedding and result caches on that folder, as ``analyze``
    uses by default."""
    from actionnlp.embed_cache import CachedEmbedder
    from actionnlp.loading import load
    from actionnlp.result_cache import ResultCache

    if cache_dir is None:
        models = load(embedder=embedder)
    else:
        models = load(embedder=CachedEmbedder(embedder, cache_dir), results=ResultCache(cache_dir))
    models.theme_tagger, models.owner_finder, models.smart_scorer  # noqa: B018
    for artifact in models.manifests:
        models.result_store(artifact)
    return models


def timed(fn, *args, **kwargs):
    """Seconds ``fn`` took, and its result; garbage from earlier runs is collected first
    so that no run pays for another's."""
    gc.collect()
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - start, out


# -- subprocess measurements ----------------------------------------------------------------


def child_peak_rss_mb(argv: list[str]) -> float:
    """Peak RSS of one subprocess, read with RUSAGE_CHILDREN in a fresh parent."""
    code = (
        "import resource, subprocess, sys\n"
        f"subprocess.run({argv!r}, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, env=_env()
    )
    kb = int(out.stdout.strip().splitlines()[-1])
    return round(kb / 1024, 1)  # Linux reports KiB


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def import_seconds(repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import actionnlp"], check=True, env=_env())
        best = min(best, time.perf_counter() - start)
    return round(best, 3)


def rss_child(n_actions: int) -> None:
    """Analyse ``n_actions`` actions (real model, fresh cache) and exit."""
    from actionnlp.analysis import analyze
    from actionnlp.embed import default_embedder

    frame = sized(base_actions(), n_actions)
    with tempfile.TemporaryDirectory() as d:
        result = analyze(frame, models=loaded_models(default_embedder(), d), progress=False)
    assert len(result.actions) == n_actions


def format_paths() -> dict[str, list[Path]]:
    from actionnlp.data import sample_paths

    paths = {"txt": [Path(p) for p in sample_paths()]}
    for fmt in FORMATS[1:]:
        paths[fmt] = [FIXTURES / f"{stem}.{fmt}" for stem in PLAN_FIXTURES]
    return paths


def read_child(rounds: int) -> None:
    """Read every plan of every format ``rounds`` times (0: one file per format, once)."""
    from actionnlp.read import read_plan

    for _ in range(max(rounds, 1)):
        for paths in format_paths().values():
            for p in paths if rounds else paths[:1]:
                read_plan(p)


def read_rates(min_seconds: float, *, warm_up: bool = True) -> dict[str, float]:
    from actionnlp.read import read_plan

    rates = {}
    for fmt, paths in format_paths().items():
        for p in paths if warm_up else ():  # warm-up: imports, caches
            read_plan(p)
        n, start = 0, time.perf_counter()
        while True:
            for p in paths:
                read_plan(p)
            n += len(paths)
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        rates[fmt] = round(n / elapsed, 2)
    return rates


def matrix_read_rates() -> dict[str, float]:
    """Files per second by form over the layout matrix (tests/fixtures/layouts), one pass."""
    from actionnlp.errors import ActionPlanError
    from actionnlp.read import read_plan

    root = FIXTURES / "layouts"
    entries = json.loads((root / "manifest.json").read_text())
    seconds: dict[str, float] = {}
    counts: dict[str, int] = {}
    for e in entries:
        start = time.perf_counter()
        with contextlib.suppress(ActionPlanError):  # an unread form still costs its time
            read_plan(root / e["file"])
        seconds[e["form"]] = seconds.get(e["form"], 0.0) + time.perf_counter() - start
        counts[e["form"]] = counts.get(e["form"], 0) + 1
    return {f: round(counts[f] / seconds[f], 2) for f in counts}


# -- the model part ---------------------------------------------------------------------------


def model_figures(args, out: dict) -> None:
    from actionnlp.analysis import analyze
    from actionnlp.embed import default_embedder
    from actionnlp.embed_cache import CachedEmbedder

    base = base_actions()
    frame = corpus(base, args.copies)
    n = len(frame)
    out["corpus_actions"] = n
    out["corpus_plans"] = int(frame["source"].nunique())
    real = default_embedder()
    real.encode(["warm up the model"])

    # end to end, no cache, counting what analyze asks the embedder for
    counting = Counting(real)
    models = loaded_models(counting)
    log(f"end to end: analyze {n} actions (no cache)")
    t_e2e, plain = timed(analyze, frame, models=models, progress=False)
    distinct = list(counting.texts)
    requested = sum(counting.texts.values())
    out["end_to_end_s"] = round(t_e2e, 2)
    out["end_to_end_per_s"] = round(n / t_e2e, 2)
    out["embed_calls"] = counting.calls
    out["embed_texts_requested"] = requested
    out["embed_texts_distinct"] = len(distinct)
    out["embed_max_requests_per_text"] = max(counting.texts.values(), default=0)

    log(f"embedding limit: {len(distinct)} distinct texts once")
    t_lim, _ = timed(real.encode, distinct, batch_size=32)
    out["embed_limit_s"] = round(t_lim, 2)
    out["embed_texts_per_s"] = round(len(distinct) / t_lim, 2)
    out["embed_limit_per_s"] = round(n / t_lim, 2)
    out["ratio"] = round(out["end_to_end_per_s"] / out["embed_limit_per_s"], 3)

    with tempfile.TemporaryDirectory() as d:
        # new cache objects on one folder for each run: a warm run reads the disk caches,
        # as a second process would, not the first run's in-memory results
        log("cached: cold run")
        t_cold, cold = timed(analyze, frame, models=loaded_models(real, d), progress=False)
        log("cached: warm run (embedding and result caches)")
        t_warm, warm = timed(analyze, frame, models=loaded_models(real, d), progress=False)
        log("cached: warm run (embedding cache only)")
        models_e = loaded_models(CachedEmbedder(real, d))
        t_warm_e, _ = timed(analyze, frame, models=models_e, progress=False)
    if not (warm.actions.equals(cold.actions) and cold.actions.equals(plain.actions)):
        raise SystemExit("the cached runs' actions differ from the uncached run's")
    out["cached_cold_per_s"] = round(n / t_cold, 2)
    out["cached_warm_per_s"] = round(n / t_warm, 2)
    out["cached_speedup"] = round(t_cold / t_warm, 2)
    out["cached_speedup_embeddings_only"] = round(t_cold / t_warm_e, 2)

    scale_base = base.iloc[: args.scale_base].reset_index(drop=True)
    scaling = {}
    for k in (1, 4, 16):
        log(f"scaling {k}x ({k * len(scale_base)} actions, every text distinct)")
        models_s = loaded_models(Counting(real))  # own in-memory vectors: nothing carried over
        t, _ = timed(analyze, corpus(scale_base, k, distinct=True), models=models_s, progress=False)
        scaling[f"{k}x"] = round(t, 2)
    out["scaling_base_actions"] = len(scale_base)
    out["scaling"] = scaling
    out["scaling_per_action_ms"] = {
        k: round(1000 * t / (int(k[:-1]) * len(scale_base)), 2) for k, t in scaling.items()
    }

    log(f"peak RSS: subprocess analysing {args.rss_actions} actions")
    out["peak_rss_actions"] = args.rss_actions
    out["peak_rss_mb"] = child_peak_rss_mb(
        [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(args.rss_actions)]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small corpus, short timings")
    parser.add_argument("--fake", action="store_true", help="skip everything needing the model")
    parser.add_argument("--copies", type=int, help="copies of the 4 samples (default 10)")
    parser.add_argument("--scale-base", type=int, help="actions in the 1x scaling corpus")
    parser.add_argument("--rss-actions", type=int, help="actions in the peak-RSS run")
    parser.add_argument("--rss-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--read-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rss_child:
        rss_child(args.rss_child)
        return 0
    if args.read_child is not None:
        read_child(args.read_child)
        return 0
    if args.copies is None:
        args.copies = 1 if args.quick else 10
    if args.scale_base is None:
        args.scale_base = 30 if args.quick else 150
    if args.rss_actions is None:
        args.rss_actions = 1000 if args.quick else 10_000

    out: dict = {
        "cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "quick": args.quick,
        "fake": args.fake,
    }
    log("import time")
    out["import_s"] = import_seconds()
    log("reading")
    out["read_per_s"] = (
        read_rates(3.0, warm_up=True) if not args.quick else read_rates(0.0, warm_up=False)
    )
    out["matrix_read_per_s"] = None if args.quick else matrix_read_rates()
    out["read_peak_rss_mb"] = child_peak_rss_mb(
        [sys.executable, str(Path(__file__).resolve()), "--read-child", "0" if args.quick else "5"]
    )
    if args.fake:
        for key in ("embed_limit_per_s", "end_to_end_per_s", "ratio", "cached_speedup"):
            out[key] = None
        out["peak_rss_mb"] = None
        out["scaling"] = None
    else:
        model_figures(args, out)
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
