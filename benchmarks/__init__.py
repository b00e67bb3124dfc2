"""Benchmarks run by ``make bench``. Each section is a module with ``run(quick: bool) -> Table``."""
