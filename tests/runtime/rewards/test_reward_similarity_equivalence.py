"""The optimized metrics (prepared references, byte tokens, bit-parallel loops) and format checks
score exactly like plain textbook implementations written here."""

from __future__ import annotations

import math
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rft_runtime.rewards import catalogue, similarity
from rft_runtime.rewards.core import Sample
from rft_runtime.rewards.templates import format_check

WORDS = ["the", "a", "an", "cat", "Cat", "sat", "on", "mat", "x1", "é", "ünï", "_", "42"]
SEPARATORS = [" ", "  ", ", ", ".\n", "\t", "-", "!", "\x1c", "\u00a0", "—"]


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=30))
    return "".join(word + separator for word, separator in parts)


any_text = st.one_of(texts(), st.text(max_size=40))


def plain_tokens(text: str, case_sensitive: bool = False) -> list[str]:
    return re.findall(r"\w+", text if case_sensitive else text.lower())


def plain_grams(words: list[str], n: int) -> Counter:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def plain_f1(predicted: list[str], expected: list[str], n: int) -> float:
    found, wanted = plain_grams(predicted, n), plain_grams(expected, n)
    common = sum((found & wanted).values())
    if common == 0:
        return 0.0
    return 2.0 * common / (sum(found.values()) + sum(wanted.values()))


def plain_lcs(a: list[str], b: list[str]) -> int:
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            rows[i + 1][j + 1] = rows[i][j] + 1 if x == y else max(rows[i][j + 1], rows[i + 1][j])
    return rows[-1][-1]


def plain_levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def plain_bleu(predicted: list[str], expected: list[str]) -> float:
    if not predicted or not expected:
        return 0.0
    log_sum = 0.0
    for n in range(1, 5):
        total = max(len(predicted) - n + 1, 0)
        matched = sum((plain_grams(predicted, n) & plain_grams(expected, n)).values())
        if n == 1:
            if matched == 0:
                return 0.0
            log_sum += math.log(matched / total)
        else:
            log_sum += math.log((matched + 1) / (total + 1))
    length, wanted = len(predicted), len(expected)
    penalty = 1.0 if length > wanted else math.exp(1.0 - wanted / length)
    return penalty * math.exp(log_sum / 4)


def plain_metric(metric: str, response: str, reference: str, case_sensitive: bool, max_chars: int) -> float:
    predicted = plain_tokens(response, case_sensitive)
    expected = plain_tokens(reference, case_sensitive)
    if metric == "token_f1":
        articles = {"a", "an", "the"}
        predicted = [w for w in predicted if w not in articles]
        expected = [w for w in expected if w not in articles]
        return plain_f1(predicted, expected, 1)
    if metric in ("rouge_1", "rouge_2"):
        return plain_f1(predicted, expected, int(metric[-1]))
    if metric == "rouge_l":
        common = plain_lcs(predicted, expected)
        return 0.0 if common == 0 else 2.0 * common / (len(predicted) + len(expected))
    if metric == "bleu":
        return plain_bleu(predicted, expected)

    def characters(text: str) -> str:
        text = " ".join(text.split())[:max_chars]
        return text if case_sensitive else text.lower()

    left, right = characters(response), characters(reference)
    longest = max(len(left), len(right))
    return 1.0 if longest == 0 else 1.0 - plain_levenshtein(left, right) / longest


@settings(max_examples=150, deadline=None)
@given(
    metric=st.sampled_from(("token_f1", "rouge_1", "rouge_2", "rouge_l", "bleu", "edit_similarity")),
    responses=st.lists(any_text, min_size=1, max_size=4),
    reference=texts(),
    case_sensitive=st.booleans(),
    max_chars=st.sampled_from((5, 1000)),
)
def test_grader_scores_equal_the_plain_definitions(metric, responses, reference, case_sensitive, max_chars):
    if not reference.strip():
        reference = "the cat"
    grader = catalogue.build_grader(
        "text_similarity", {"metric": metric, "case_sensitive": case_sensitive, "max_chars": max_chars}
    )
    # Several responses share one reference, as rollouts of one prompt do (memo and last-reference paths).
    for response in responses:
        expected = plain_metric(metric, response, reference, case_sensitive, max_chars)
        assert grader.score(Sample(response, reference)).value == pytest.approx(expected, abs=1e-12)
        assert grader.score(Sample(response, [reference])).value == pytest.approx(expected, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(text=any_text, case_sensitive=st.booleans())
def test_byte_tokens_are_the_utf8_of_the_regex_tokens(text, case_sensitive):
    expected = [w.encode("utf-8", "surrogatepass") for w in plain_tokens(text, case_sensitive)]
    assert similarity.word_bytes(text, case_sensitive=case_sensitive) == expected


@settings(max_examples=200, deadline=None)
@given(a=st.text("abcé ", max_size=90), b=st.text("abcé ", max_size=90))
def test_prepared_bit_parallel_algorithms_match_dynamic_programming(a, b):
    assert similarity.EditReference(a).distance(b) == plain_levenshtein(a, b)
    assert similarity.LcsReference(a.split()).lcs(b.split()) == plain_lcs(a.split(), b.split())
    assert similarity.LcsReference(list(a)).lcs(list(b)) == plain_lcs(list(a), list(b))


def test_long_texts_cross_many_machine_words():
    import random

    rng = random.Random(11)
    a = "".join(rng.choice("acgt ") for _ in range(700))
    b = "".join(rng.choice("acgt ") for _ in range(650))
    assert similarity.EditReference(a).distance(b) == plain_levenshtein(a, b)
    assert similarity.EditReference(b).distance(a) == plain_levenshtein(a, b)
    assert similarity.BleuReference(similarity.word_bytes(a)).bleu(similarity.word_bytes(b)) == pytest.approx(
        plain_bleu(plain_tokens(b), plain_tokens(a))
    )


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=60), st.text(" \t\n\x0b\x0c\r\x1c\x1d\x1e\x1fab\u00a0", max_size=60)))
def test_word_counts_match_str_split(text):
    # the words of str.split() that show something (a word of zero-width characters does not count)
    words = [word for word in text.split() if format_check.visible(word)]
    assert format_check.word_count(text) == len(words)
    assert format_check.most_words(text) >= len(words)


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.one_of(
        st.sampled_from(["as an ai", "(?i)AS an AI", "(?im)K", "s", "a.b", "(?x)a b"]),
        st.text("aAsSkK ", min_size=1, max_size=4),
    ),
    flags=st.sampled_from(["", "i", "m", "is"]),
    text=st.one_of(st.text("aAsSkK \u017f\u212a", max_size=30), st.text(max_size=30)),
    must_match=st.booleans(),
)
def test_literal_regex_shortcut_agrees_with_re(pattern, flags, text, must_match):
    grader = catalogue.build_grader(
        "format_check",
        {"constraints": [{"type": "regex", "pattern": pattern, "flags": flags, "must_match": must_match}]},
    )
    bits = 0
    for letter in flags:
        bits |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}[letter]
    found = re.compile(pattern, bits).search(text) is not None
    assert grader.score(Sample(text)).value == (1.0 if found == must_match else 0.0)
