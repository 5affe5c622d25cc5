"""Digital invoices printed, scanned or photographed: the same fields read from degraded images.

    python -m invoice_extract.bench.scanned_invoices [--only invoices_visual] [--limit N]
        [--dpi 200] [--out DIR] [--set VAR=VALUE ...]

Each PDF of the folder is rendered page by page (pypdfium2) at --dpi and degraded with Pillow
the way a scanner or a phone does it: a slight turn (alternating +-1.5 deg), a slight perspective
on every other document, blur, speckle noise and JPEG at quality 70. The pages go back into an
image-only PDF (a multi-page scan) that the engine reads like any upload, on the invoice route.
Nothing is written but the predictions and the links to the truth under --out; the shared
scorer then scores them against the folder's truth (compare with the digital numbers of the
same folder in the README).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from .corpus import DEFAULT_CORPUS, documents


def degrade(image, seed: int):
    """A page as a scan or photo of it: turned, maybe skewed in perspective, blurred, speckled, JPEG."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    image = image.convert("RGB")
    angle = 1.5 if seed % 2 else -1.5
    image = image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor="white")
    if seed % 2 == 0:  # a phone held slightly off-axis: the top edge shorter than the bottom
        w, h = image.size
        d = 0.02 * w
        coeffs = _perspective([(d, 0), (w - d, 0), (w, h), (0, h)], [(0, 0), (w, 0), (w, h), (0, h)])
        image = image.transform((w, h), Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor="white")
    image = image.filter(ImageFilter.GaussianBlur(0.7))
    pixels = image.load()
    w, h = image.size
    for _ in range(w * h // 400):  # 0.25 % speckles, dark or light
        x, y = rng.randrange(w), rng.randrange(h)
        v = rng.choice((30, 225))
        pixels[x, y] = (v, v, v)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return Image.open(io.BytesIO(out.getvalue()))


def _perspective(source, target):
    """PIL's 8 perspective coefficients mapping ``target`` points onto ``source`` points."""
    import numpy as np

    rows, rhs = [], []
    for (x, y), (u, v) in zip(target, source):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return list(np.linalg.solve(np.array(rows, float), np.array(rhs, float)))


def scanned_pdf(data: bytes, dpi: int, seed: int) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        pages = [degrade(pdf[i].render(scale=dpi / 72).to_pil(), seed + i) for i in range(len(pdf))]
    finally:
        pdf.close()
    out = io.BytesIO()
    pages[0].save(out, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--only", default="invoices_visual")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--out", type=Path, default=Path("/tmp/invoice_extract-scanned"))
    ap.add_argument("--set", nargs="*", default=[], metavar="VAR=VALUE")
    args = ap.parse_args(argv)
    for item in args.set:
        var, _, value = item.partition("=")
        os.environ[var] = value
    from invoice_extract.extraction import ExtractOptions, extract

    folder = args.corpus / args.only
    pred, truth = args.out / "pred" / folder.name, args.out / "truth" / folder.name
    for d in (pred, truth):
        d.mkdir(parents=True, exist_ok=True)
        for old in d.iterdir():
            old.unlink()
    docs = [d for d in documents(folder) if d.suffix.lower() == ".pdf"][: args.limit or None]
    started = time.perf_counter()
    for n, doc in enumerate(docs):
        stem = doc.name[: -len(doc.suffix)]
        try:
            result = extract(scanned_pdf(doc.read_bytes(), args.dpi, n), doc.name, ExtractOptions())
        except Exception as e:  # scored as all-wrong
            print(f"  ! {doc.name}: {type(e).__name__}: {e}", file=sys.stderr)
            result = {}
        (pred / f"{stem}.json").write_text(json.dumps(result, ensure_ascii=False))
        (truth / f"{stem}.truth.json").symlink_to(folder / f"{stem}.truth.json")
    print(f"{folder.name} scanned at {args.dpi} dpi [{len(docs)} documents, "
          f"{(time.perf_counter() - started) / max(1, len(docs)):.1f} s each] {' '.join(args.set)}", flush=True)
    scorer = args.corpus.parent / "bench" / "score.py"
    subprocess.run([sys.executable, str(scorer), "--truth", str(truth), "--pred", str(pred)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
