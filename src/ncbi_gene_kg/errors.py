"""Errors the CLI reports as one clear line (the traceback only with --debug)."""


class UserError(Exception):
    """A problem with the user's input or configuration, worded for the user."""
