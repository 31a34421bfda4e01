"""The one error type of the warehouse build: what went wrong, and what to do about it."""

from __future__ import annotations


class LoadError(Exception):
    """A failure the user can act on.

    `problems` are one line each (what was wrong and where); `remedy` says what to do.
    """

    def __init__(self, problems: list[str] | str, remedy: str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.remedy = remedy
        super().__init__("\n".join([*self.problems, remedy]))
