"""Text similarity metrics, each in [0, 1]: pure Python, plus rapidfuzz's C++ Levenshtein when present.

Tokens are runs of word characters (``\\w+``), lower-cased unless asked otherwise.

- :func:`rouge_n`: F1 of n-gram multisets (ROUGE-1, ROUGE-2; token F1 is ROUGE-1 after
  :func:`without_articles`, as in SQuAD).
- :func:`rouge_l`: F1 of the longest common token subsequence (bit-parallel LCS: one big-integer
  step per token, no quadratic table).
- :func:`bleu`: sentence BLEU up to 4-grams with a brevity penalty; n-gram precisions for n >= 2 get
  add-one smoothing (Lin & Och 2004), so short but correct answers do not collapse to 0.
- :func:`edit_similarity`: ``1 - levenshtein / max(len)`` on characters (Myers/Hyyrö bit-parallel
  Levenshtein: one big-integer step per character).

Graders that compare many responses with one reference (RFT scores several rollouts per prompt)
use the *prepared* forms: :class:`NgramReference`, :class:`LcsReference`, :class:`BleuReference` and
:class:`EditReference` do the reference-side work (n-gram counts, token ids, LCS bit masks, the
Levenshtein match table) once; :class:`NativeEditReference` is the same as :class:`EditReference`
computed by rapidfuzz's compiled Levenshtein (:func:`native_levenshtein`; bundled into the reward
Lambda, optional elsewhere), with identical values. Scoring a response then costs one pass over its tokens (or
characters) with C-level iteration wherever possible. Tokens are handled as UTF-8 ``bytes``
(:func:`word_bytes`): ASCII text is tokenized by one ``bytes.translate`` and ``split``. UTF-8 is
injective, so token equality, and hence every score, is the same as on ``str`` tokens.
"""

from __future__ import annotations

import math
import re
from collections import Counter, _count_elements  # C-level counting loop (CPython and PyPy)
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import filterfalse, repeat
from operator import sub

_TOKEN = re.compile(r"\w+")
_NON_WORD = re.compile(r"\W+")
ARTICLES = frozenset({"a", "an", "the"})
_ARTICLE_BYTES = (b"a", b"an", b"the")
#: ASCII characters that are neither word characters nor whitespace, mapped to a space.
ASCII_SEPARATORS = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) == "_" or chr(c).isspace())}
)


def _byte_table(lower: bool) -> bytes:
    """A ``bytes.translate`` table: ASCII word characters kept (lower-cased if asked), others a space."""
    table = bytearray(range(256))
    for code in range(128):
        char = chr(code)
        if char.isalnum() or char == "_":
            table[code] = ord(char.lower()) if lower else code
        else:
            table[code] = 0x20
    return bytes(table)


_WORDS_LOWER = _byte_table(lower=True)
_WORDS_KEEP = _byte_table(lower=False)
_ZEROS = repeat(0)  # endless zeros: the default argument of ``dict.get`` in ``map``


def tokens(text: str, *, case_sensitive: bool = False) -> list[str]:
    """The word tokens (``\\w+`` runs) of ``text``; ASCII text takes a faster, equivalent path."""
    if not case_sensitive:
        text = text.lower()
    if text.isascii():
        return text.translate(ASCII_SEPARATORS).split()
    return _TOKEN.findall(text)


def word_bytes(text: str, *, case_sensitive: bool = False) -> list[bytes]:
    """:func:`tokens`, each encoded as UTF-8 (faster: ASCII text needs no ``str`` tokens at all)."""
    if text.isascii():
        return text.encode("ascii").translate(_WORDS_KEEP if case_sensitive else _WORDS_LOWER).split()
    if not case_sensitive:
        text = text.lower()
    # Only word characters and spaces remain; no UTF-8 sequence of a non-ASCII character contains an
    # ASCII byte, so ``bytes.split`` (ASCII whitespace) cuts exactly between the \w runs.
    return _NON_WORD.sub(" ", text).encode("utf-8", "surrogatepass").split()


def without_articles(words: Sequence[str]) -> list[str]:
    """``words`` without English articles (``a``, ``an``, ``the``), as SQuAD's token F1 does."""
    return list(filterfalse(ARTICLES.__contains__, words))


def ngrams(words: Sequence[Hashable], n: int) -> Iterable[Hashable]:
    """The ``n``-grams of ``words`` in order (plain tokens for n = 1, tuples otherwise)."""
    if n == 1:
        return words
    return zip(*(words[i:] for i in range(n)), strict=False)


def ngram_counts(words: Sequence[Hashable], n: int) -> Counter[Hashable]:
    """The multiset of ``n``-grams of ``words``."""
    return Counter(ngrams(words, n))


def count(items: Iterable[Hashable]) -> dict[Hashable, int]:
    """``{item: occurrences}`` (a plain dict; the counting loop runs in C)."""
    found: dict[Hashable, int] = {}
    _count_elements(found, items)
    return found


def clipped(found: dict[Hashable, int], size: int, expected: dict[Hashable, int]) -> int:
    """``sum(min(found[g], expected.get(g, 0)))``, where ``size == sum(found.values())``.

    Uses ``min(a, b) = (a + b - |a - b|) / 2`` so that every step is a C-level ``map``.
    """
    limits = list(map(expected.get, found, _ZEROS))
    return (size + sum(limits) - sum(map(abs, map(sub, found.values(), limits)))) >> 1


def clipped_matches(grams: Iterable[Hashable], expected: Counter[Hashable]) -> int:
    """How many of ``grams`` the multiset ``expected`` accounts for (each gram at most as often as in
    ``expected``). Only grams present in ``expected`` are counted, entirely in C-level iteration."""
    found = count(filter(expected.__contains__, grams))
    return sum(map(min, found.values(), map(expected.__getitem__, found)))


def f1(common: int, predicted: int, expected: int) -> float:
    """F1 from the matched count and the two totals (0 when nothing matches)."""
    if common == 0:
        return 0.0
    return 2.0 * common / (predicted + expected)


def rouge_n(predicted: Sequence[Hashable], expected: Counter[Hashable], n: int = 1) -> float:
    """ROUGE-N F1 of a token list against a reference's ``n``-gram multiset (n = 1: token F1)."""
    total = max(len(predicted) - n + 1, 0)
    return f1(clipped_matches(ngrams(predicted, n), expected), total, expected.total())


class NgramReference:
    """A reference prepared for ROUGE-N (``n`` = 1 or 2): its n-gram counts and their total.

    ``drop_articles`` gives SQuAD's token F1 (English articles removed from both sides).
    """

    __slots__ = ("counts", "drop_articles", "n", "total")

    def __init__(self, words: Sequence[bytes], n: int = 1, *, drop_articles: bool = False) -> None:
        if drop_articles:
            words = [word for word in words if word not in _ARTICLE_BYTES]
        self.n = n
        self.drop_articles = drop_articles
        self.counts = count(ngrams(words, n))
        self.total = max(len(words) - n + 1, 0)

    def rouge(self, words: list[bytes]) -> float:
        """ROUGE-N F1 of the response ``words`` (from :func:`word_bytes`)."""
        if self.n == 1:
            found = count(words)
            size = len(words)
            if self.drop_articles:
                # Articles are absent from ``counts``, so they match nothing; only the total changes.
                predicted = size - found.get(b"a", 0) - found.get(b"an", 0) - found.get(b"the", 0)
            else:
                predicted = size
        else:
            size = predicted = max(len(words) - self.n + 1, 0)
            found = count(ngrams(words, self.n))
        if not predicted or not self.total:
            return 0.0
        return f1(clipped(found, size, self.counts), predicted, self.total)


def lcs_length(left: Sequence[Hashable], right: Sequence[Hashable]) -> int:
    """Length of the longest common subsequence (Hyyrö's bit-parallel algorithm)."""
    if len(left) < len(right):
        left, right = right, left
    if not right:
        return 0
    return LcsReference(left).lcs(right)


class LcsReference:
    """A token sequence prepared for bit-parallel LCS (Hyyrö): one bit mask per distinct token."""

    __slots__ = ("full", "length", "masks")

    def __init__(self, words: Sequence[Hashable]) -> None:
        masks: dict[Hashable, int] = {}
        for position, item in enumerate(words):
            masks[item] = masks.get(item, 0) | (1 << position)
        self.masks = masks
        self.length = len(words)
        self.full = (1 << len(words)) - 1

    def lcs(self, words: Iterable[Hashable]) -> int:
        """Length of the longest common subsequence with ``words`` (one step per matching token)."""
        vector = self.full
        # Carries above bit ``length`` never reach the lower bits, so masking once at the end suffices.
        for match in filter(None, map(self.masks.get, words)):
            common = vector & match
            vector = (vector + common) | (vector - common)
        return self.length - (vector & self.full).bit_count()

    def rouge_l(self, words: Sequence[Hashable]) -> float:
        """ROUGE-L F1 of the response ``words``."""
        if not words or not self.length:
            return 0.0
        return f1(self.lcs(words), len(words), self.length)


def rouge_l(predicted: Sequence[str], expected: Sequence[str]) -> float:
    """ROUGE-L F1 (LCS-based) of two token lists."""
    return f1(lcs_length(predicted, expected), len(predicted), len(expected))


def bleu(
    predicted: Sequence[Hashable], expected_grams: Sequence[Counter[Hashable]], expected_length: int
) -> float:
    """Smoothed sentence BLEU of ``predicted`` against a reference given as its n-gram multisets
    (``expected_grams[n - 1]`` for n = 1..4, see :func:`ngram_counts`) and its token count."""
    length = len(predicted)
    if length == 0 or expected_length == 0:
        return 0.0
    matches = [
        clipped_matches(ngrams(predicted, n), expected) if length >= n else 0
        for n, expected in enumerate(expected_grams, start=1)
    ]
    return _bleu_from_matches(matches, length, expected_length)


def _bleu_from_matches(matches: Sequence[int], length: int, expected_length: int) -> float:
    """BLEU from the clipped match count per order (see :func:`bleu`)."""
    log_sum = 0.0
    for n, matched in enumerate(matches, start=1):
        total = max(length - n + 1, 0)
        if n == 1:
            if matched == 0:
                return 0.0
            log_sum += math.log(matched / total)
        else:
            log_sum += math.log((matched + 1) / (total + 1))
    penalty = 1.0 if length > expected_length else math.exp(1.0 - expected_length / length)
    return penalty * math.exp(log_sum / len(matches))


class BleuReference:
    """A reference prepared for BLEU: token ids (1..V) and the counts of its id n-grams, n = 1..4.

    A response token outside the reference's vocabulary gets id 0, which no reference n-gram
    contains, so n-grams are compared as tuples of small integers (cheap to hash and compare).
    """

    __slots__ = ("counts", "length", "vocabulary")

    ORDERS = 4

    def __init__(self, words: Sequence[bytes]) -> None:
        vocabulary: dict[bytes, int] = {}
        for word in words:
            if word not in vocabulary:
                vocabulary[word] = len(vocabulary) + 1
        ids = [vocabulary[word] for word in words]
        self.vocabulary = vocabulary
        self.counts = [count(ngrams(ids, n)) for n in range(1, self.ORDERS + 1)]
        self.length = len(words)

    def bleu(self, words: Sequence[bytes]) -> float:
        """Smoothed sentence BLEU of the response ``words`` (same value as :func:`bleu`)."""
        length = len(words)
        if length == 0 or self.length == 0:
            return 0.0
        ids = list(map(self.vocabulary.get, words, _ZEROS))
        matches = []
        for n, expected in enumerate(self.counts, start=1):
            size = length - n + 1
            if size <= 0:
                matches.append(0)
                continue
            found = count(ids if n == 1 else zip(*(ids[i:] for i in range(n)), strict=False))
            matches.append(clipped(found, size, expected))
            if n == 1 and matches[0] == 0:
                return 0.0
        return _bleu_from_matches(matches, length, self.length)


def levenshtein(left: str, right: str) -> int:
    """Levenshtein distance (Myers/Hyyrö bit-parallel, global alignment)."""
    if len(left) < len(right):
        left, right = right, left
    if not right:
        return len(left)
    return EditReference(left).distance(right)


class EditReference:
    """A text prepared for bit-parallel Levenshtein (Myers 1999, Hyyrö 2001): one match mask per
    distinct character (``peq``), the reference's characters being the bit positions."""

    __slots__ = ("length", "mask", "peq", "text")

    def __init__(self, text: str) -> None:
        peq: dict[str, int] = {}
        for position, char in enumerate(text):
            peq[char] = peq.get(char, 0) | (1 << position)
        self.text = text
        self.peq = peq
        self.length = len(text)
        self.mask = (1 << len(text)) - 1

    def distance(self, text: str) -> int:
        """Levenshtein distance between ``text`` and the reference (one step per character).

        Bits above ``length`` may hold junk: no operation moves information downwards (carries and
        shifts go up), and masking ``positive`` each step keeps every value below ``length + 2`` bits
        (``negative`` stays within the mask: it is a subset of ``equal | negative``).
        The distance is read once at the end: the top row of the table is ``0..len(text)`` and the
        final vertical deltas add up the last column.
        """
        if not self.length:
            return len(text)
        if text == self.text:
            return 0
        mask = self.mask
        positive, negative = mask, 0
        for equal in map(self.peq.get, text, _ZEROS):
            vertical = equal | negative
            horizontal = (((equal & positive) + positive) ^ positive) | equal
            h_positive = ((negative | (mask ^ (horizontal | positive))) << 1) | 1
            h_negative = (positive & horizontal) << 1
            positive = (h_negative | (mask ^ (vertical | h_positive))) & mask
            negative = h_positive & vertical
        return len(text) + positive.bit_count() - negative.bit_count()

    def similarity(self, text: str) -> float:
        """``1 - levenshtein / max(len)``; 1.0 for two empty strings."""
        longest = max(len(text), self.length)
        return 1.0 if longest == 0 else 1.0 - self.distance(text) / longest


def edit_similarity(left: str, right: str) -> float:
    """``1 - levenshtein(left, right) / max(len)``; 1.0 for two empty strings."""
    longest = max(len(left), len(right))
    return 1.0 if longest == 0 else 1.0 - levenshtein(left, right) / longest


def native_levenshtein() -> Callable[[str, str], int] | None:
    """rapidfuzz's compiled ``Levenshtein.distance`` (unit costs, on code points), or None when its
    compiled module does not load here (not installed, or built for another platform): then use
    :class:`EditReference`. rapidfuzz's own pure-Python fallback is never used: it is slower than
    :class:`EditReference`. Imported on call, so graders that do not need it never pay the import."""
    try:
        from rapidfuzz.distance import metrics_cpp  # noqa: F401  the compiled module itself
        from rapidfuzz.distance.Levenshtein import distance
    except ImportError:
        return None
    return distance


class NativeEditReference:
    """:class:`EditReference` computed by a compiled ``distance(a, b) -> int`` (see
    :func:`native_levenshtein`)."""

    __slots__ = ("_distance", "length", "text")

    def __init__(self, text: str, distance: Callable[[str, str], int]) -> None:
        self.text = text
        self.length = len(text)
        self._distance = distance

    def similarity(self, text: str) -> float:
        """``1 - levenshtein / max(len)``; 1.0 for two empty strings."""
        longest = max(len(text), self.length)
        return 1.0 if longest == 0 else 1.0 - self._distance(self.text, text) / longest
