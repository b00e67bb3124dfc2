"""The base class of errors in what a user gave (config, dataset): reported without a traceback."""


class InputError(ValueError):
    """Something the user provided is wrong; ``str()`` is the full message, listing every problem."""
