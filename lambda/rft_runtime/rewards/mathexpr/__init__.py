"""Competition-math answers: reading LaTeX answers and deciding whether two of them are equivalent.

Own parser and evaluator, no third-party dependency (nothing to bundle for the Lambda's Python/arm64):

- :mod:`.extract`: where the final answer is in a response (last ``\\boxed{}``, ``####``, "answer is",
  Minerva's "Final Answer: The final answer is $...$"), corrections and hedges. Cheap; imported by
  the plain-number path too.
- :mod:`.latex`: LaTeX clean-up (``\\dfrac``, ``\\left``, ``\\text{units}``, ``\\%``, degrees, currency).
- :mod:`.parser`: the cleaned text as a small syntax tree (expressions, equations, tuples, intervals,
  unions, sets, lists, matrices).
- :mod:`.repeating`: repeating decimals (``0.1\\overline{6}`` is exactly 1/6).
- :mod:`.inequality`: inequalities (``2 < x \\le 5``, ``x < 1 \\text{ or } x > 3``, ``x \\in S``) and
  ``\\mathbb{R}`` read as the sets of numbers they describe.
- :mod:`.evaluate`: exact rational arithmetic where possible, complex floating point otherwise, under
  a :class:`.budget.Budget`.
- :mod:`.compare`: equivalence of two answers (:func:`.compare.equivalent`), the entry point.
- :mod:`.points`: where expressions with variables are compared.
- :mod:`.resolution`: changes to a value too small for floating point to see (``\\pi + 10^{-10}``).

The symbolic modules are imported only when an answer is not a plain number, so the plain-number
path and the Lambda's cold import do not pay for them.
"""
