"""The shared scorer (``../shared/bench/score.py``, beside the corpus), for every benchmark:
imported once for its matching rules, or run on a folder of predictions for its table."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def scorer_path(corpus: Path = DEFAULT_CORPUS) -> Path:
    return corpus.parent / "bench" / "score.py"


def scorer_module(corpus: Path = DEFAULT_CORPUS):
    """The scorer as a module (``field_equal`` and the other matching rules), loaded once."""
    mod = sys.modules.get("_shared_score")
    if mod is None:
        spec = importlib.util.spec_from_file_location("_shared_score", scorer_path(corpus))
        mod = importlib.util.module_from_spec(spec)
        sys.modules["_shared_score"] = mod
        spec.loader.exec_module(mod)
    return mod


def print_scores(truth: Path, pred: Path, corpus: Path = DEFAULT_CORPUS, verbose: bool = False,
                 json_out: Path | None = None) -> None:
    """The scorer's table for the predictions in ``pred`` against the truth files in ``truth``."""
    cmd = [sys.executable, str(scorer_path(corpus)), "--truth", str(truth), "--pred", str(pred)]
    if json_out is not None:
        cmd += ["--json", str(json_out)]
    if verbose:
        cmd.append("-v")
    subprocess.run(cmd, check=False)
