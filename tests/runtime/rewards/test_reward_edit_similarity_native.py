"""``edit_similarity`` via rapidfuzz's compiled Levenshtein equals the pure-Python reference one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rft_runtime.rewards import catalogue, similarity
from rft_runtime.rewards.core import Sample

native = similarity.native_levenshtein()
needs_native = pytest.mark.skipif(native is None, reason="rapidfuzz is pinned in requirements-dev.txt")
# Characters from several scripts and planes, so surrogate-free code points beyond the BMP are covered.
texts = st.text(alphabet=st.sampled_from("ab cdeé漢字🙂\n\t-"), max_size=300) | st.text(max_size=80)


def test_rapidfuzz_is_installed_for_the_tests():
    assert native is not None, "requirements-dev.txt pins rapidfuzz: the equivalence test must run"


@needs_native
@settings(max_examples=400, deadline=None)
@given(reference=texts, response=texts)
def test_native_and_pure_python_similarity_are_identical(reference, response):
    pure = similarity.EditReference(reference).similarity(response)
    compiled = similarity.NativeEditReference(reference, native).similarity(response)
    assert compiled == pure  # same integer distance, same division: bit-identical


@needs_native
def test_long_texts_over_many_machine_words():
    reference = "the quick brown fox jumps over the lazy dog " * 40
    response = reference.replace("o", "0", 37)[5:] + "tail"
    assert similarity.NativeEditReference(reference, native).similarity(response) == (
        similarity.EditReference(reference).similarity(response)
    )


@needs_native
def test_the_grader_uses_the_compiled_path_when_it_loads():
    grader = catalogue.build_grader("text_similarity", {"metric": "edit_similarity"})
    assert isinstance(grader._reference("kitten"), similarity.NativeEditReference)
    assert grader.score(Sample("sitting", "kitten")).value == pytest.approx(1 - 3 / 7)


def test_without_the_compiled_module_the_pure_python_path_is_used(monkeypatch):
    monkeypatch.setattr(similarity, "native_levenshtein", lambda: None)
    grader = catalogue.build_grader("text_similarity", {"metric": "edit_similarity"})
    assert isinstance(grader._reference("kitten"), similarity.EditReference)
    assert grader.score(Sample("sitting", "kitten")).value == pytest.approx(1 - 3 / 7)


def test_native_packages_are_declared_only_for_edit_similarity():
    assert catalogue.native_packages("text_similarity", {"metric": "edit_similarity"}) == ("rapidfuzz",)
    assert catalogue.native_packages("text_similarity", {}) == ()
    composite = {
        "graders": [
            {"template": "math_answer"},
            {"template": "text_similarity", "options": {"metric": "edit_similarity"}},
        ]
    }
    assert catalogue.native_packages("composite", composite) == ("rapidfuzz",)
