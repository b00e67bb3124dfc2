"""The code runner function: runs model code for ``code_tests`` in its own Lambda, apart from the grader.

:mod:`.handler` is the runner's Lambda handler; :mod:`.client` is how the grader calls it.
"""
