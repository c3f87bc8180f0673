"""Errors every layer raises and every interface turns into one clear sentence."""

from __future__ import annotations


class IstuiError(Exception):
    """A failure the user should read as one sentence (exit status 1)."""

    exit_code = 1


class BadInput(IstuiError, ValueError):
    """Input that names a field and says what is accepted; nothing was written (exit status 2)."""

    exit_code = 2


class NotFound(BadInput):
    """A record named by the user does not exist (or a prefix matches nothing)."""


class WorkspaceError(IstuiError):
    """The workspace on disk is missing, newer than this istui, locked too long, or damaged."""
