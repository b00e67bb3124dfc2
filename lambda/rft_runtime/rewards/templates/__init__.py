"""Reward templates, one module each, all with the same shape.

A template module defines:

- ``Options``: a frozen dataclass whose fields are declared with :func:`rft_runtime.rewards.options.option`
  (parsed by :func:`rft_runtime.rewards.options.parse_options`, all problems reported at once);
- ``required_fields(options) -> tuple[str, ...]``: the dataset fields the template reads;
- ``Grader``: ``Grader(options, **deps)`` with ``name`` and ``score(sample) -> Score`` (and
  optionally ``score_many``); ``deps`` are test seams (clients, clocks) and unknown ones are ignored.

:mod:`rft_runtime.rewards.catalogue` maps template names to these modules and imports them lazily.
"""
