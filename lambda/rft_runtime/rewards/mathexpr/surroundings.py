"""Whether mathematics written right against a final answer makes it another answer.

A box or a ``$...$`` answer is the final answer only when it stands alone in its expression. Each of
these states a value other than the one inside the marker, so none is read as that value:

- after it: a power, subscript or factorial (``\\boxed{5}^2``, ``\\boxed{12}_8``, ``$\\boxed{5}!$``; an
  exclamation mark ending a line or before a new sentence, ``is \\boxed{5}! Done``, is punctuation), more
  digits (``\\boxed{5}0``, ``\\boxed{0}.5``, ``\\boxed{3},000``, ``\\boxed{3}\\,000``), an operator with an
  operand (``\\boxed{5} + 1``, ``$5$ \\times 2``, ``\\boxed{1}/2``, ``\\boxed{2} < x``), a constant or
  function (``\\boxed{5}\\pi``, ``\\boxed{2}\\sqrt{3}``), letters written against it that are no unit
  abbreviation (``\\boxed{5}x``; ``\\boxed{5}cm`` is fine) or a word that changes its value
  (``\\boxed{3} thousand``, ``\\boxed{3}\\text{ million}``, ``\\boxed{5} reciprocal``), an operator
  word with an operand (``\\boxed{5} over 2``, ``$\\frac12$ of 10``, ``\\boxed{5}\\% of 20``,
  ``\\boxed{2} to the power 3``, ``\\boxed{10} in base 2``) or a second value after a comma or
  semicolon (``\\boxed{4}, 6``: a hedge);
- before a box: a sign, operator or comparison (``-\\boxed{5}``, ``x = -\\boxed{5}``, ``3 + \\boxed{5}``,
  ``x > \\boxed{2}``, ``x \\ge \\boxed{2}``, ``2\\cdot\\boxed{5}``), a digit against it
  (``1\\boxed{5}``), or an argument brace of a fraction, root, power or subscript
  (``\\frac{\\boxed{5}}{2}``, ``\\sqrt{\\boxed{25}}``, ``10^{\\boxed{3}}``).

Left alone: a degree or percent sign after the answer (``\\boxed{30}^\\circ``, ``\\boxed{5}\\%``), units
(``\\boxed{5}\\text{ cm}``, ``\\boxed{5} apples``), punctuation and markdown (``**\\boxed{5}**``), a
markdown bullet (``- \\boxed{5}``) and a word before a dash (``Answer - \\boxed{5}``).

LaTeX spacing (``\\,``, ``~``, ``{}``) and closing brackets between the answer and the mathematics
hide nothing (``\\boxed{5}\\,\\times 2``, ``-\\,\\boxed{5}``, ``(\\boxed{5})^2``); a relation other than
equality (``x \\neq \\boxed{5}``, ``x > \\boxed{5}``; not a markup tag), ``\\pm``, an imaginary unit and a
function, floor or overline around the box make another answer too, and so does a factor before
the box (``\\tfrac{1}{2}\\boxed{10}``, ``\\sqrt\\boxed{25}``, ``x\\boxed{5}``). A blank line ends what is
written against the answer (``\\boxed{5}`` then a paragraph starting ``No other value works``).
A wrapper on either side is read as its content, however nested (``\\boxed{5}\\textbf{k}``,
``\\boxed{5}\\text{ times 2}``, ``\\mathbin{-}\\boxed{5}``, ``{-}\\boxed{5}``; see :data:`_WRAPPED`).
"""

from __future__ import annotations

import re

from rft_runtime.rewards.mathexpr.latex import ATTACHED_UNITS, MATH_WORDS, value_word

#: LaTeX spacing and style, which set nothing apart: ``~``, ``\\,``, ``\\;``, ``\\:``, ``\\!``, ``\\ ``,
#: ``{}``, ``\\quad``, ``\\enspace``, ``\\hspace{..}``, ``\\mkern..mu``, ``\\phantom{..}``,
#: ``\\displaystyle``, ``\\text{ }``.
_SPACING = (
    r"(?:~|\\[,;:! ]|\{\}|\\q?quad(?![A-Za-z])|\\(?:en|em|thin|med|thick|negthin|negmed|negthick)space"
    r"|\\[hm]?(?:space|kern|skip)\*?\s*(?:\{[^{}]*\}|-?[\d.]+\s*[a-z]{2})|\\[hv]?phantom\s*\{[^{}]*\}"
    r"|\\(?:display|text|script|scriptscript)style(?![A-Za-z])|\\(?:text|mbox|mathrm)\s*\{\s*\})"
)
#: Skipped after the answer: spaces, :data:`_SPACING`, closing math delimiters and closing brackets
#: (``$\\boxed{5}$^2``, ``\\boxed{5}\\,\\times 2``, ``(\\boxed{5})^2``); never a line break.
_CLOSER = re.compile(r"(?:[ \t]|" + _SPACING + r"|\$\$?|\\[)\]]|\\(?:right|[Bb]igg?r?)\s*[.)\]|]|[)\]}])*")
#: A single letter is an operand unless it is ``a`` or ``I`` starting a sentence (``\\boxed{5} - I think``).
_OPERAND = r"\s*(?:[\d(\[{\\]|(?![aAI]\s+[A-Za-z])[A-Za-z](?![A-Za-z]))"
#: A relation other than equality: the answer is a bound or is denied (``x \\neq \\boxed{5}``).
#: ``<`` and ``>`` only where they are no markup (``<answer>\\boxed{5}</answer>``, a ``> `` quote).
_RELATION_WORD = (
    r"[\u2264\u2265\u2260]|!=|\\(?:le|ge|leq|geq|lt|gt|ne|neq|leqslant|geqslant|ll|gg|not)(?![A-Za-z])"
)
_RELATION = r"(?:<(?![/A-Za-z!])|>|" + _RELATION_WORD + ")"
#: ``>`` ending an arrow (``=>``, ``->``) is no relation.
_RELATION_BEFORE = r"(?:(?<=[^\n])(?:<|(?<![-=])>)|" + _RELATION_WORD + ")"
_AFTER = re.compile(
    r"\^(?!\s*\{?\s*\\circ)|_|!(?![ \t]*(?:\n|$)|\s+[A-Z])|[\u00b2\u00b3\u00b9\u2070-\u209f]"
    r"|\d|,\d|\.(?!0+(?!\d))\d|:\d|\{,\}\s*\d|[xX]\s*\d"
    r"|(?:[-+/*\u2212\u00d7\u00b7\u00f7\u00b1]|\\(?:times|cdot|div|pm|mp)(?![A-Za-z]))"
    + _OPERAND
    + r"|"
    + _RELATION
    + r"|(?:\\mathrm\s*\{\s*i\s*\}|i(?![A-Za-z.])(?!\s+[A-Za-z]))"
    + r"|\\(?:pi|sqrt|[dtc]?frac|sin|cos|tan|cot|sec|csc|log|ln|exp|infty|binom|over|choose|atop"
    r"|[bp]?mod)(?![A-Za-z])"
)
#: An operator written as words, then its operand; or a second value after a comma (a hedge).
_WORDED_OPERATION = re.compile(
    r"[ \t]*\n?[ \t]*(?:\\?%\s*)?(?:(?:over|divided\s+by|times|multiplied\s+by|of|mod(?:ulo)?|in\s+base"
    r"|(?:raised\s+)?to\s+the(?:\s+[a-z]+)?\s+power(?:\s+of)?)\s*\$?\s*(?:[-+\u2212]?\d|[(\[{\\])"
    r"|(?:raised\s+)?to\s+the\s+\w+\s+power(?![A-Za-z])|[,;]\s*\$?\s*[-+\u2212]?\d)",
    re.IGNORECASE,
)
#: Words that name another value of the answer before them.
_INVERTING = frozenset(["inverse", "reciprocal", "opposite", "negated", "negation"])
_ATTACHED = re.compile(r"[A-Za-z]+")
_ORDINAL = frozenset(["st", "nd", "rd", "th"])
#: Words of :data:`MATH_WORDS` that join answers rather than change one (handled as alternatives).
_JOINING = frozenset(["or", "and", "to"])
#: A word right after the answer; on the next line only when it goes on in lower case (a capital
#: there starts a new sentence: ``\\boxed{5}`` then "None of the others work." leaves it alone).
_WORD_AFTER = re.compile(
    r"(?:[ \t]*|[ \t]*\n[ \t]*(?![A-Z]))(?:\\(?:text|textbf|mathrm|mbox)\s*\{\s*)?([A-Za-z]{2,})"
)
#: A negation followed by another value denies that value, not the answer (``\\boxed{5} not 6``).
_DENIES_ANOTHER = re.compile(r"(?:not|no|never|nor)\W{0,3}[-+\u2212\d$\\]", re.IGNORECASE)
_BEFORE = re.compile(
    r"(?:[-+\u2212\u00b1\u2013]|[/\u00d7\u00b7\u00f7^_]\s*|(?<=[\d)}\]])\s*\*\s*|\d\.?|(?<![A-Za-z\\])[A-Za-z]"
    r"|\\(?:times|cdot|div|[dtc]?frac|sqrt|[dt]?binom|log|ln|exp|sin|cos|tan|cot|sec|csc|pi|pm|mp"
    r"|lvert|vert|left\s*\||lfloor|lceil|neg)\s*"
    r"|(?:[\^_}\]]|\\(?:[dtc]?frac|sqrt|[dt]?binom|log|ln|exp|sin|cos|tan|overline|bar))\s*\{\s*"
    r"|\\(?:log|ln|exp|sin|cos|tan|cot|sec|csc)(?:_\{?\w+\}?)?\s*(?:\\left)?\s*\(\s*|\\sqrt\s*\[\s*"
    r"|" + _RELATION_BEFORE + r"\s*)$"
)
#: LaTeX spacing, a bare group brace or a markup tag between the box and what is before it
#: (``-\\,\\boxed{5}``, ``-{\\boxed{5}}``, ``<answer>``), set aside before :data:`_BEFORE` looks.
_SPACING_BEFORE = re.compile(r"(?:\s*(?:" + _SPACING + r"|(?<![A-Za-z}\]^_])\{|<[A-Za-z/][^<>]*>))+\s*$")
#: A mathematics command whose arguments stand right before the box: their product with it
#: (``\\tfrac{1}{2}\\boxed{10}``, ``\\sqrt{2}\\boxed{5}``, ``x^{2}\\boxed{5}``).
_MATH_ARGUMENTS = re.compile(r"(?:[\^_]|\\(?:[dtc]?frac|sqrt|[dt]?binom|log|ln|exp|sin|cos|tan))$")
#: Before a sign that has space after it: what makes the sign part of the expression (``x = - ``,
#: ``3 + ``, ``( -``), as opposed to a bullet or a dash after a word.
_SIGN_OPERAND = re.compile(r"(?:[=(\[{$\d)}]|(?<![A-Za-z])[A-Za-z])[ \t]*[-+\u2212\u00b1][ \t]+$")


def changes_answer(text: str, start: int, end: int, boxed: bool) -> bool:
    """Whether what is written right against the answer at ``text[start:end]`` makes it another value
    (rules in the module docstring); ``boxed``: the answer is a ``\\boxed{}`` (its left side is looked
    at too; a phrase's ``$...$`` follows its phrase)."""
    return _changed_after(text, end) or (boxed and _changed_before(text[max(0, start - 40) : start]))


#: A wrapper around mathematics or words, read as its content on either side of the answer
#: (``\\boxed{5}\\text{k}`` is ``5k``, ``\\operatorname{mod} 3``, ``\\mathbf{e}3``, ``\\text{ times 2}``,
#: ``\\mathbin{-}\\boxed{5}``): a named wrapper, an old-style ``{\\rm k}`` or a bare group ``{-}`` (not
#: an argument: no letter, ``}`` or ``]`` before it, so ``\\frac{1}{2}`` keeps its braces).
_WRAPPED = re.compile(
    r"\\(?:text(?:rm|bf|it|sf|tt|up|md|normal)?|[mh]box|ensuremath|operatorname\*?|boldsymbol|bm"
    r"|math(?:rm|it|bf|sf|tt|normal|cal|frak|bb|ord|bin|rel|op|punct|inner))\s*\{([^{}]*)\}"
    r"|\{\s*\\(?:rm|bf|it|sf|tt|cal)(?![A-Za-z])\s*([^{}]*)\}"
    r"|(?<![A-Za-z\\\]}])\{([^{}]*)\}"
)
#: Nesting levels of :data:`_WRAPPED` unwrapped (``\\text{\\textbf{k}}``).
_WRAPPER_DEPTH = 4
#: How much of the text after the answer the rules read.
_TAIL = 200


def _unwrapped(text: str) -> str:
    """``text`` with each :data:`_WRAPPED` group replaced by its content, innermost first."""
    for _ in range(_WRAPPER_DEPTH):
        inner = _WRAPPED.sub(lambda match: next((g for g in match.groups() if g is not None), ""), text)
        if inner == text:
            break
        text = inner
    return text


def _changed_after(text: str, end: int) -> bool:
    tail = text[end : end + _TAIL]
    unwrapped = _unwrapped(tail)
    return _changed_right_after(unwrapped, 0) if unwrapped != tail else _changed_right_after(text, end)


def _changed_right_after(text: str, end: int) -> bool:
    attached = _ATTACHED.match(text, end)
    if attached is not None:
        word = attached[0].lower()
        return word not in ATTACHED_UNITS and word not in _ORDINAL
    position = _CLOSER.match(text, end).end()
    if _AFTER.match(text, position) is not None or _WORDED_OPERATION.match(text, position) is not None:
        return True
    word = _WORD_AFTER.match(text, position)
    if word is None or not _changes_value(word[1]):
        return False
    return _DENIES_ANOTHER.match(text, word.start(1)) is None


def _changes_value(word: str) -> bool:
    """A word that changes the number before it: a :func:`value_word` (``wrong``, ``tenths``) or a
    mathematics word (``thousand``, ``squared``, ``pi``)."""
    lower = word.lower()
    plural = len(lower) > 2 and lower.endswith("s") and lower[:-1] in MATH_WORDS
    math_word = (lower in MATH_WORDS or plural) and lower not in _JOINING
    return math_word or lower in _INVERTING or value_word(word)


def _changed_before(left: str) -> bool:
    left = _unwrapped(left)
    spacing = _SPACING_BEFORE.search(left)
    if spacing is not None:
        left = left[: spacing.start()]
    return (
        _BEFORE.search(left) is not None
        or _SIGN_OPERAND.search(left) is not None
        or _MATH_ARGUMENTS.search(_without_groups(left)) is not None
    )


def _without_groups(left: str) -> str:
    """``left`` without the brace groups that end it (``\\frac{1}{2}`` becomes ``\\frac``)."""
    left = left.rstrip()
    while left.endswith("}"):
        depth = 0
        for index in range(len(left) - 1, -1, -1):
            depth += {"}": 1, "{": -1}.get(left[index], 0)
            if depth == 0:
                break
        if depth != 0:
            return left
        left = left[:index].rstrip()
    return left
