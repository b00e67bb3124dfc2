"""``text_similarity`` and the metric functions (checked against direct definitions)."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rft_runtime.rewards import catalogue, similarity

REFERENCE = "the cat sat on the mat"


def lcs_table(a, b):
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            rows[i + 1][j + 1] = rows[i][j] + 1 if x == y else max(rows[i][j + 1], rows[i + 1][j])
    return rows[-1][-1]


def levenshtein_table(a, b):
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


@settings(max_examples=300, deadline=None)
@given(a=st.text("abc ", max_size=40), b=st.text("abc ", max_size=40))
def test_bit_parallel_algorithms_match_dynamic_programming(a, b):
    assert similarity.levenshtein(a, b) == levenshtein_table(a, b)
    assert similarity.lcs_length(a, b) == lcs_table(a, b)
    assert similarity.lcs_length(a.split(), b.split()) == lcs_table(a.split(), b.split())


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_fast_ascii_tokenizer_matches_the_regex(text):
    import re

    assert similarity.tokens(text) == re.findall(r"\w+", text.lower())
    assert similarity.tokens(text, case_sensitive=True) == re.findall(r"\w+", text)


def test_long_inputs_cross_machine_word_boundaries():
    rng = random.Random(7)
    a = "".join(rng.choice("acgt") for _ in range(300))
    b = "".join(rng.choice("acgt") for _ in range(250))
    assert similarity.levenshtein(a, b) == levenshtein_table(a, b)
    assert similarity.lcs_length(a, b) == lcs_table(a, b)


@pytest.mark.parametrize(
    ("metric", "response", "expected"),
    [
        ("token_f1", "the cat sat on the mat", 1.0),
        ("token_f1", "a dog sat", 2 * (1 / 2) * (1 / 4) / (1 / 2 + 1 / 4)),  # articles dropped
        ("rouge_1", "a dog sat", 2 * (1 / 3) * (1 / 6) / (1 / 3 + 1 / 6)),
        ("rouge_1", "The cat, sat!", 2 * 1.0 * 0.5 / 1.5),
        ("rouge_2", "the cat sat", 2 * 1.0 * 0.4 / 1.4),
        ("rouge_l", "the cat on the mat", 2 * 1.0 * (5 / 6) / (1 + 5 / 6)),
        ("edit_similarity", "the cat sat on the hat", 1 - 1 / 22),
        ("bleu", "the cat sat on the mat", 1.0),
        ("token_f1", "", 0.0),
        ("bleu", "", 0.0),
        ("bleu", "zebra", 0.0),
    ],
)
def test_metric_values(grade, metric, response, expected):
    score = grade("text_similarity", {"metric": metric}, response, REFERENCE)
    assert score.value == pytest.approx(expected)
    assert score.components[metric] == pytest.approx(expected)


def test_bleu_matches_a_direct_computation():
    hypothesis = ["the", "cat", "is", "on", "the", "mat"]
    reference = REFERENCE.split()
    grams = [similarity.ngram_counts(reference, n) for n in range(1, 5)]
    precisions = []
    for n in range(1, 5):
        hyp = Counter(tuple(hypothesis[i : i + n]) for i in range(len(hypothesis) - n + 1))
        ref = Counter(tuple(reference[i : i + n]) for i in range(len(reference) - n + 1))
        matched = sum(min(c, ref[g]) for g, c in hyp.items())
        total = len(hypothesis) - n + 1
        precisions.append(matched / total if n == 1 else (matched + 1) / (total + 1))
    expected = math.exp(sum(math.log(p) for p in precisions) / 4)
    assert similarity.bleu(hypothesis, grams, len(reference)) == pytest.approx(expected)
    short = similarity.bleu(["the", "cat"], grams, len(reference))
    assert 0 < short < 0.3  # brevity penalty bites


def test_pass_threshold_binarizes_but_keeps_the_similarity(grade):
    score = grade("text_similarity", {"metric": "rouge_l", "pass_threshold": 0.5}, "the cat sat", REFERENCE)
    assert score.value == 1.0 and score.components["rouge_l"] == pytest.approx(2 * 0.5 / 1.5)
    assert (
        grade("text_similarity", {"metric": "rouge_l", "pass_threshold": 0.9}, "the cat", REFERENCE).value
        == 0.0
    )


def test_options_and_references(grade):
    assert grade("text_similarity", {"case_sensitive": True}, "THE CAT", "the cat").value == 0.0
    assert grade("text_similarity", {}, "dog", ["cat", "dog"]).value == 1.0
    assert grade("text_similarity", {}, "dog", None).error == "bad-reference"
    limited = grade("text_similarity", {"metric": "edit_similarity", "max_chars": 3}, "abcXYZ", "abcdef")
    assert limited.value == 1.0


def test_adversarial_long_and_repetitive_responses(grade):
    stuffed = grade("text_similarity", {"metric": "bleu"}, "the " * 2000, REFERENCE)
    assert stuffed.value < 0.05
    long_edit = grade("text_similarity", {"metric": "edit_similarity"}, "x" * 100_000, REFERENCE)
    assert long_edit.value == 0.0


def test_validation():
    problems = catalogue.validate_options(
        "text_similarity", {"metric": "meteor", "pass_threshold": 2, "max_chars": 0}
    )
    assert len(problems) == 3
    assert "one of 'token_f1', 'rouge_1', 'rouge_2', 'rouge_l', 'bleu', 'edit_similarity'" in problems[0]
    assert catalogue.required_dataset_fields("text_similarity", {}) == ("reference_answer",)
