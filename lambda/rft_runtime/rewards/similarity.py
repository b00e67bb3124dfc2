"""Text similarity metrics in pure Python, each in [0, 1].

Tokens are runs of word characters (``\\w+``), lower-cased unless asked otherwise.

- :func:`rouge_n`: F1 of n-gram multisets (ROUGE-1, ROUGE-2; token F1 is ROUGE-1 after
  :func:`without_articles`, as in SQuAD).
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
from collections.abc import Hashable, Iterable, Sequence
from itertools import filterfalse

_TOKEN = re.compile(r"\w+")
ARTICLES = frozenset({"a", "an", "the"})
#: ASCII characters that are neither word characters nor whitespace, mapped to a space.
ASCII_SEPARATORS = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_" or chr(c).isspace())}
)


def tokens(text: str, *, case_sensitive: bool = False) -> list[str]:
    """The word tokens (``\\w+`` runs) of ``text``; ASCII text takes a faster, equivalent path."""
    if not case_sensitive:
        text = text.lower()
    if text.isascii():
        return text.translate(ASCII_SEPARATORS).split()
    return _TOKEN.findall(text)


def without_articles(words: Sequence[str]) -> list[str]:
    """``words`` without English articles (``a``, ``an``, ``the``), as SQuAD's token F1 does."""
    return list(filterfalse(ARTICLES.__contains__, words))


def ngrams(words: Sequence[str], n: int) -> Iterable[Hashable]:
    """The ``n``-grams of ``words`` in order (plain tokens for n = 1, tuples otherwise)."""
    if n == 1:
        return words
    return zip(*(words[i:] for i in range(n)), strict=False)


def ngram_counts(words: Sequence[str], n: int) -> Counter[Hashable]:
    """The multiset of ``n``-grams of ``words``."""
    return Counter(ngrams(words, n))


def clipped_matches(grams: Iterable[Hashable], expected: Counter[Hashable]) -> int:
    """How many of ``grams`` the multiset ``expected`` accounts for (each gram at most as often as in
    ``expected``). Only grams present in ``expected`` are counted, entirely in C-level iteration."""
    found = Counter(filter(expected.__contains__, grams))
    return sum(map(min, found.values(), map(expected.__getitem__, found)))


def f1(common: int, predicted: int, expected: int) -> float:
    """F1 from the matched count and the two totals (0 when nothing matches)."""
    if common == 0:
        return 0.0
    return 2.0 * common / (predicted + expected)


def rouge_n(predicted: Sequence[str], expected: Counter[Hashable], n: int = 1) -> float:
    """ROUGE-N F1 of a token list against a reference's ``n``-gram multiset (n = 1: token F1)."""
    total = max(len(predicted) - n + 1, 0)
    return f1(clipped_matches(ngrams(predicted, n), expected), total, expected.total())


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
    # Carries above bit len(left) never reach the lower bits, so masking once at the end suffices.
    for match in filter(None, map(masks.get, right)):
        common = vector & match
        vector = (vector + common) | (vector - common)
    return len(left) - (vector & full).bit_count()


def rouge_l(predicted: Sequence[str], expected: Sequence[str]) -> float:
    """ROUGE-L F1 (LCS-based) of two token lists."""
    return f1(lcs_length(predicted, expected), len(predicted), len(expected))


def bleu(
    predicted: Sequence[str], expected_grams: Sequence[Counter[Hashable]], expected_length: int
) -> float:
    """Smoothed sentence BLEU of ``predicted`` against a reference given as its n-gram multisets
    (``expected_grams[n - 1]`` for n = 1..4, see :func:`ngram_counts`) and its token count."""
    length = len(predicted)
    if length == 0 or expected_length == 0:
        return 0.0
    log_sum = 0.0
    for n, expected in enumerate(expected_grams, start=1):
        total = max(length - n + 1, 0)
        matched = clipped_matches(ngrams(predicted, n), expected) if total else 0
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
