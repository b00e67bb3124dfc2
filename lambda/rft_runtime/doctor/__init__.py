"""``rft doctor``: read-only checks, with the caller's credentials, of what a deploy needs.

- ``needs``: what one pipeline needs from its account and Region (:class:`DeployNeeds`).
- ``checks``: one function per check; each returns a :class:`CheckResult` (pass / fail / unknown,
  what was found, and the fix).
- ``report``: run every check, render text or JSON, and pick the exit code.
"""
