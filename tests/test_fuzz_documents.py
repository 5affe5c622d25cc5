"""Damaged documents (truncated, bytes changed, bytes inserted) end in an extraction status,
never in an unexpected exception (which the worker would report as error_internal).
Bounded: a fixed seed and a fixed number of mutations."""
from __future__ import annotations

import random

import pytest

from invoice_extract.bench import hostile
from invoice_extract.extraction import ExtractionError, ExtractOptions, extract

from fixtures import make_invoice_image, make_invoice_pdf

MUTATIONS = 60


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    roll = rng.random()
    if roll < 0.3:
        return bytes(out[: rng.randrange(1, len(out))])
    if roll < 0.8:
        for _ in range(rng.randrange(1, 20)):
            out[rng.randrange(len(out))] = rng.randrange(256)
        return bytes(out)
    at = rng.randrange(len(out))
    out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    return bytes(out)


@pytest.mark.parametrize("seed", [1, 2])
def test_damaged_documents_end_in_an_extraction_status(seed):
    rng = random.Random(seed)
    seeds = [make_invoice_pdf(), hostile.attachment_bomb(2000), make_invoice_image(dpi=60, fmt="PNG"),
             make_invoice_image(dpi=60, fmt="JPEG")]
    unexpected = []
    for _ in range(MUTATIONS):
        data = mutate(rng, rng.choice(seeds))
        try:
            assert isinstance(extract(data, "damaged", ExtractOptions()), dict)
        except ExtractionError:
            pass
        except Exception as e:  # noqa: BLE001 - the point of the test
            unexpected.append(f"{type(e).__name__}: {e}"[:200])
    assert not unexpected, unexpected
