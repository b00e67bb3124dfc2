"""A cleaned answer (see :mod:`.latex`) as a syntax tree of tuples.

Scalars: ``("num", Fraction)`` (``("num", Fraction, digits)`` for a non-integer decimal literal such
as ``0.7071``, whose value may be a rounded irrational: ``digits`` significant digits),
``("var", name)``, ``("const", "pi" | "e" | "i" | "inf")``,
``("add", a, b)``, ``("mul", a, b)``, ``("div", a, b)``, ``("pow", a, b)``, ``("neg", a)``,
``("fact", a)``, ``("binom", n, k)``, ``("root", n, a)``, ``("abs", a)``, ``("log", base, a)``
(``base`` None = natural) and ``("fn", name, a)`` (trigonometric functions, ``exp``).

Structures: ``("eq", lhs, rhs)``, ``("seq", open, close, items)`` (tuples, points, intervals:
the brackets are kept because endpoint inclusion matters), ``("set", items)`` (``\\{...\\}``),
``("list", items)`` (bare comma-separated answers), ``("union", items)``, ``("matrix", rows)`` and
``("ineq", name, set)`` (inequalities and ``x \\in S``; ``\\mathbb{R}`` reads as ``(-\\infty, \\infty)``;
see :mod:`.inequality`).

Reading rules: implicit multiplication (``2x``, ``3\\sqrt{2}``, ``2(x+1)``); ``\\frac34`` and
``\\sqrt2`` take one-character arguments; an integer directly followed by a numeric ``\\frac`` is a
mixed number (``2\\frac{1}{2}`` = 5/2); ``1,000`` and ``1 000`` (groups of three digits) are one
thousand, other numbers side by side do not parse; ``0.1\\overline{6}`` is a repeating decimal (see
:mod:`.repeating`); runs of three or more letters that are not a known function are words, which do not parse.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from rft_runtime.rewards.mathexpr import inequality
from rft_runtime.rewards.mathexpr.budget import Budget, TooComplex
from rft_runtime.rewards.mathexpr.repeating import repeating_decimal

Node = tuple[Any, ...]

_NUMBER = re.compile(
    r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d{1,3}(?: \d{3})+(?!\d)|\d+)(?:\.\d*)?(?:[eE][-+]?\d+(?![\d.]))?"
    r"|\.\d+"
)
_COMMAND = re.compile(r"\\([a-zA-Z]+|\{|\})")
_LETTERS = re.compile(r"[a-zA-Z]+")
_FUNCTIONS = frozenset(
    ["sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "exp"]
)
_LOGS = {"ln": None, "log": Fraction(10), "lg": Fraction(10)}
_GREEK = frozenset([
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "phi", "varphi", "chi", "psi", "omega", "Gamma",
    "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega",
])  # fmt: skip
_CONSTANTS = {"pi": "pi", "infty": "inf", "infinity": "inf", "inf": "inf"}
_MATRICES = frozenset({"pmatrix", "bmatrix", "matrix", "smallmatrix", "Bmatrix"})
_OPENERS = {"(": ")", "[": "]"}
_MAX_LENGTH = 2000
_OR = re.compile(r"or(?![a-zA-Z])")


class ParseError(ValueError):
    """The text is not an answer this parser reads."""


class _Parser:
    """Recursive descent over the characters of one cleaned answer."""

    def __init__(self, text: str, budget: Budget) -> None:
        self.text = text
        self.pos = 0
        self.budget = budget

    # -- characters ---------------------------------------------------------------------------
    def _peek(self) -> str:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _accept(self, token: str) -> bool:
        self._peek()
        if self.text.startswith(token, self.pos):
            if token[-1].isalpha() and self.text[self.pos + len(token) : self.pos + len(token) + 1].isalpha():
                return False
            self.pos += len(token)
            return True
        return False

    def _expect(self, token: str) -> None:
        if not self._accept(token):
            raise ParseError(f"expected {token!r} at {self.pos} in {self.text!r}")

    def _command_ahead(self) -> str | None:
        self._peek()
        match = _COMMAND.match(self.text, self.pos)
        return match[1] if match else None

    # -- grammar ------------------------------------------------------------------------------
    def answer(self) -> Node:
        items = self._items()
        if self._peek():
            raise ParseError(f"unexpected {self.text[self.pos :]!r}")
        return items[0] if len(items) == 1 else ("list", tuple(items))

    def _items(self) -> list[Node]:
        items = [self._union()]
        while self._accept(","):
            items.append(self._union())
        return items

    def _union(self) -> Node:
        parts = [self._equation()]
        while self._accept("\\cup") or self._accept("U ") or (parts[-1][0] == "ineq" and self._accept("or")):
            parts.append(self._equation())
        if len(parts) == 1:
            return parts[0]
        if any(part[0] == "ineq" for part in parts):
            return self._readable(inequality.join(parts))
        return ("union", tuple(parts))

    def _equation(self) -> Node:
        left = self._expression()
        if self._accept("="):
            return ("eq", left, self._expression())
        if left[0] == "var" and self._accept("\\in"):
            sets = [self._expression()]
            while self._accept("\\cup"):
                sets.append(self._expression())
            return inequality.membership(left[1], sets)
        terms, signs = [left], []
        while (sign := self._sign()) is not None:
            signs.append(sign)
            terms.append(self._expression())
        return left if not signs else self._readable(inequality.inequality(terms, signs))

    def _sign(self) -> str | None:
        """The comparison sign ahead (consumed), or None."""
        return next((name for written, name in inequality.SIGNS if self._accept(written)), None)

    def _readable(self, read: Any) -> Any:
        """``read`` unless it is None (an inequality or set that is not a readable form)."""
        if read is None:
            raise ParseError(f"unreadable inequality or set in {self.text!r}")
        return read

    def _expression(self) -> Node:
        node = self._term()
        while True:
            if self._accept("+"):
                node = ("add", node, self._term())
            elif self._accept("-"):
                node = ("add", node, ("neg", self._term()))
            else:
                return node

    def _term(self) -> Node:
        node = self._unary()
        while True:
            self.budget.tick()
            if self._accept("*"):
                node = ("mul", node, self._unary())
            elif self._accept("/"):
                node = ("div", node, self._unary())
            elif self._atom_ahead():
                if node[0] == "num" and self._peek().isdigit():
                    raise ParseError(f"two numbers side by side in {self.text!r}")
                node = ("mul", node, self._power())
            else:
                return node

    def _unary(self) -> Node:
        if self._accept("-"):
            return ("neg", self._unary())
        if self._accept("+"):
            return self._unary()
        return self._power()

    def _power(self) -> Node:
        base = self._postfix(self._atom())
        if self._accept("^"):
            exponent = self._group() if self._peek() == "{" else self._unary_atom()
            return self._postfix(("pow", base, exponent))
        return base

    def _unary_atom(self) -> Node:
        return ("neg", self._atom()) if self._accept("-") else self._atom()

    def _postfix(self, node: Node) -> Node:
        while self._accept("!"):
            node = ("fact", node)
        return node

    def _atom_ahead(self) -> bool:
        char = self._peek()
        if char == "o" and _OR.match(self.text, self.pos):
            return False  # "x < 1 or x > 3"
        if char and (char.isalnum() or char in "({."):
            return True
        command = self._command_ahead()
        return command is not None and command not in ("cup", "}", "pm", "mp", "le", "ge", "neq", "in")

    def _atom(self) -> Node:
        self.budget.tick()
        char = self._peek()
        if not char:
            raise ParseError("unexpected end")
        if char.isdigit() or char == ".":
            return self._number()
        if char.isalpha():
            return self._letters()
        if char == "\\":
            return self._command()
        if char in _OPENERS:
            return self._bracket()
        if char == "{":
            return self._group()
        if char == "|":
            self.pos += 1
            inner = self._expression()
            self._expect("|")
            return ("abs", inner)
        raise ParseError(f"unexpected {char!r} in {self.text!r}")

    def _number(self) -> Node:
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise ParseError(f"bad number in {self.text!r}")
        self.pos = match.end()
        try:
            value = Fraction(match[0].replace(",", "").replace(" ", ""))
        except (ValueError, ZeroDivisionError) as error:
            raise TooComplex("number too long") from error
        if self._command_ahead() == "overline":
            repeating = repeating_decimal(match[0], self.text, self.pos)
            if repeating is None:
                raise ParseError(f"\\overline after {match[0]!r} is no repeating decimal in {self.text!r}")
            value, self.pos = repeating
            return ("num", value)
        if value.denominator == 1 and self._command_ahead() == "frac":
            mixed = self._mixed_fraction()
            if mixed is not None:
                return ("num", value + mixed)
        if value.denominator == 1:
            return ("num", value)
        mantissa = re.split("[eE]", match[0])[0]
        return ("num", value, len(re.sub(r"\D", "", mantissa).lstrip("0")))

    def _mixed_fraction(self) -> Fraction | None:
        """``2\\frac{1}{2}``: the fraction part when both arguments are plain integers, else None."""
        start = self.pos
        self._expect("\\frac")
        numerator, denominator = self._argument(), self._argument()
        if numerator[0] == "num" and denominator[0] == "num" and denominator[1] != 0:
            part = numerator[1] / denominator[1]
            if numerator[1].denominator == denominator[1].denominator == 1 and 0 < part < 1:
                return part
        self.pos = start
        return None

    def _letters(self) -> Node:
        word = _LETTERS.match(self.text, self.pos)[0]  # type: ignore[index]
        if word in _FUNCTIONS or word in _LOGS:
            self.pos += len(word)
            return self._function(word)
        if word in _CONSTANTS:
            self.pos += len(word)
            return ("const", _CONSTANTS[word])
        if len(word) > 2 or word in ("or", "pm"):
            raise ParseError(f"word {word!r} in {self.text!r}")
        self.pos += 1
        return self._subscripted(word[0])

    def _subscripted(self, name: str) -> Node:
        if self._accept("_"):
            if self._peek() == "{":
                close = self.text.find("}", self.pos)
                if close < 0:
                    raise ParseError("unclosed subscript")
                name += "_" + self.text[self.pos + 1 : close].replace(" ", "")
                self.pos = close + 1
            else:
                name += "_" + self.text[self.pos : self.pos + 1]
                self.pos += 1
            return ("var", name)
        if name == "e":
            return ("const", "e")
        if name == "i":
            return ("const", "i")
        return ("var", name)

    def _command(self) -> Node:
        name = self._command_ahead()
        if name is None:
            raise ParseError(f"stray backslash in {self.text!r}")
        self.pos += len(name) + 1
        if name == "frac":
            return ("div", self._argument(), self._argument())
        if name == "sqrt":
            index: Node = ("num", Fraction(2))
            if self._accept("["):
                index = self._expression()
                self._expect("]")
            return ("root", index, self._argument())
        if name == "binom":
            return ("binom", self._argument(), self._argument())
        if name in _CONSTANTS:
            return ("const", _CONSTANTS[name])
        if name in _FUNCTIONS or name in _LOGS:
            return self._function(name)
        if name in _GREEK:
            return self._subscripted(name)
        if name == "{":
            return self._set()
        if name == "begin":
            return self._matrix()
        if name == "mathbb":
            self.pos = self._readable(inequality.real_line_end(self.text, self.pos))
            return inequality.REAL_LINE
        if name in ("boxed", "fbox", "mathbf", "mathit", "mathrm", "text", "overline"):
            return self._group()
        raise ParseError(f"unsupported command \\{name}")

    def _function(self, name: str) -> Node:
        base = _LOGS.get(name)
        base_node: Node | None = None if base is None else ("num", base)
        power: Node | None = None
        if name in ("log", "lg") and self._accept("_"):
            base_node = self._argument()
        if self._accept("^"):
            power = self._argument()
        if self._peek() == "(":
            self.pos += 1
            argument = self._expression()
            self._expect(")")
        elif self._peek() == "{":
            argument = self._group()
        else:
            argument = self._power()
        node: Node = ("log", base_node, argument) if name in _LOGS else ("fn", name, argument)
        return node if power is None else ("pow", node, power)

    def _argument(self) -> Node:
        """One LaTeX argument: ``{...}``, or a single digit, letter or command."""
        char = self._peek()
        if char == "{":
            return self._group()
        if char.isdigit():
            self.pos += 1
            return ("num", Fraction(int(char)))
        if char.isalpha():
            self.pos += 1
            return self._subscripted(char)
        if char == "\\":
            return self._command()
        raise ParseError(f"missing argument in {self.text!r}")

    def _group(self) -> Node:
        self._expect("{")
        items = self._items()
        self._expect("}")
        return items[0] if len(items) == 1 else ("set", tuple(items))

    def _bracket(self) -> Node:
        opener = self.text[self.pos]
        self.pos += 1
        items = self._items()
        closer = self._peek()
        if closer not in (")", "]"):
            raise ParseError(f"unclosed {opener!r} in {self.text!r}")
        self.pos += 1
        if len(items) == 1 and _OPENERS[opener] == closer:
            return items[0]
        return ("seq", opener, closer, tuple(items))

    def _set(self) -> Node:
        if self._accept("\\}"):
            return ("set", ())
        items = self._items()
        self._expect("\\}")
        return ("set", tuple(items))

    def _matrix(self) -> Node:
        self._expect("{")
        environment = _LETTERS.match(self.text, self.pos)
        if environment is None or environment[0] not in _MATRICES:
            raise ParseError(f"unsupported environment in {self.text!r}")
        self.pos = environment.end()
        self._expect("}")
        end = self.text.find(f"\\end{{{environment[0]}}}", self.pos)
        if end < 0:
            raise ParseError(f"unclosed {environment[0]}")
        body, self.pos = self.text[self.pos : end], end + len(environment[0]) + 6
        rows = tuple(
            tuple(parse(cell, self.budget) for cell in row.split("&"))
            for row in body.split("\\\\")
            if row.strip()
        )
        if not rows or len({len(row) for row in rows}) != 1:
            raise ParseError("ragged matrix")
        return ("matrix", rows)


def parse(text: str, budget: Budget) -> Node:
    """The syntax tree of one cleaned answer; raises :class:`ParseError` (or :class:`.TooComplex`)."""
    if len(text) > _MAX_LENGTH:
        raise TooComplex(f"answer of {len(text)} characters")
    if not text.strip():
        raise ParseError("empty answer")
    try:
        return _Parser(text, budget).answer()
    except RecursionError as error:
        raise TooComplex("nesting too deep") from error
