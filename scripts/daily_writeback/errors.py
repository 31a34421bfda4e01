"""The one error type of scripts/writeback."""


class WritebackError(Exception):
    """A problem the user can fix: the message says what is wrong, where, and what to do."""
