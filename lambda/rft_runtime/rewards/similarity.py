"""Text similarity metrics in pure Python, each in [0, 1].

Tokens are runs of word characters (``\\w+``), lower-cased unless asked otherwise.

- :func:`token_f1`: F1 of the token multisets (SQuAD-style).
- :func:`rouge_n`: F1 of n-gram multisets (ROUGE-1, ROUGE-2).
- :func:`rouge_l`: F1 of the longest common token subsequence (bit-parallel LCS: one big-integer
  step per token, no quadratic table).
- :func:`bleu`: sentence BLEU up to 4-grams with a brevity penalty; n-gram precisions for n >= 2 get
  add-one smoothing (Lin & Och 2004), so short but correct answers do not collapse to 0.
- :func:`edit_similarity`: ``1 - levenshtein / max(len)`` on characters (Myers/Hyyrö bit-parallel
  Levenshtein: one big-integer step per character of the shorter text).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Sequence

_TOKEN = re.compile(r"\w+")


def tokens(text: str, *, case_sensitive: bool = False) -> list[str]:
    """The word tokens of ``text``."""
    return _TOKEN.findall(text if case_sensitive else text.lower())


def ngrams(words: Sequence[str], n: int) -> Counter[Hashable]:
    """The multiset of ``n``-grams of ``words`` (plain tokens for n = 1)."""
    if n == 1:
        return Counter(words)
    return Counter(zip(*(words[i:] for i in range(n)), strict=False))


def overlap(left: Counter[Hashable], right: Counter[Hashable]) -> int:
    """Size of the multiset intersection."""
    if len(left) > len(right):
        left, right = right, left
    return sum(min(count, right[key]) for key, count in left.items() if key in right)


def f1(common: int, predicted: int, expected: int) -> float:
    """F1 from the matched count and the two totals (0 when nothing matches)."""
    if common == 0:
        return 0.0
    return 2.0 * common / (predicted + expected)


def token_f1(predicted: Counter[Hashable], expected: Counter[Hashable]) -> float:
    """Token F1 of two token multisets."""
    return f1(overlap(predicted, expected), predicted.total(), expected.total())


def rouge_n(predicted: Counter[Hashable], expected: Counter[Hashable]) -> float:
    """ROUGE-N F1 of two n-gram multisets (build them with :func:`ngrams`)."""
    return token_f1(predicted, expected)


def lcs_length(left: Sequence[Hashable], right: Sequence[Hashable]) -> int:
    """Length of the longest common subsequence (Hyyrö's bit-parallel algorithm)."""
    if len(left) < len(right):
        left, right = right, left
    if not right:
        return 0
    masks: dict[Hashable, int] = {}
    for position, item in enumerate(left):
        masks[item] = masks.get(item, 0) | (1 << position)
    full = (1 << len(left)) - 1
    vector = full
    for item in right:
        match = masks.get(item)
        if match:
            common = vector & match
            vector = ((vector + common) | (vector - common)) & full
    return len(left) - vector.bit_count()


def rouge_l(predicted: Sequence[str], expected: Sequence[str]) -> float:
    """ROUGE-L F1 (LCS-based) of two token lists."""
    return f1(lcs_length(predicted, expected), len(predicted), len(expected))


def bleu(
    predicted: Sequence[str], expected_grams: Sequence[Counter[Hashable]], expected_length: int
) -> float:
    """Smoothed sentence BLEU of ``predicted`` against a reference given as its n-gram multisets
    (``expected_grams[n - 1]`` for n = 1..4) and its token count."""
    length = len(predicted)
    if length == 0 or expected_length == 0:
        return 0.0
    log_sum = 0.0
    for n, expected in enumerate(expected_grams, start=1):
        total = max(length - n + 1, 0)
        matched = overlap(ngrams(predicted, n), expected) if total else 0
        if n == 1:
            if matched == 0:
                return 0.0
            log_sum += math.log(matched / total)
        else:
            log_sum += math.log((matched + 1) / (total + 1))
    penalty = 1.0 if length > expected_length else math.exp(1.0 - expected_length / length)
    return penalty * math.exp(log_sum / len(expected_grams))


def levenshtein(left: str, right: str) -> int:
    """Levenshtein distance (Myers/Hyyrö bit-parallel, global alignment)."""
    if len(left) < len(right):
        left, right = right, left
    if not right:
        return len(left)
    peq: dict[str, int] = {}
    for position, char in enumerate(left):
        peq[char] = peq.get(char, 0) | (1 << position)
    size = len(left)
    mask = (1 << size) - 1
    high = 1 << (size - 1)
    positive, negative, distance = mask, 0, size
    for char in right:
        equal = peq.get(char, 0)
        vertical = equal | negative
        horizontal = (((equal & positive) + positive) ^ positive) | equal
        h_positive = negative | (~(horizontal | positive) & mask)
        h_negative = positive & horizontal
        if h_positive & high:
            distance += 1
        elif h_negative & high:
            distance -= 1
        h_positive = ((h_positive << 1) | 1) & mask
        h_negative = (h_negative << 1) & mask
        positive = h_negative | (~(vertical | h_positive) & mask)
        negative = h_positive & vertical
    return distance


def edit_similarity(left: str, right: str) -> float:
    """``1 - levenshtein(left, right) / max(len)``; 1.0 for two empty strings."""
    longest = max(len(left), len(right))
    return 1.0 if longest == 0 else 1.0 - levenshtein(left, right) / longest
