"""The one exception type that reaches the user as a plain line instead of a traceback."""


class UserError(Exception):
    """Bad input from the user (a file, a key, a value, an argument).

    The message is a single line that names the culprit and what is allowed; the command line prints
    it and exits with status 2.
    """

    exit_code = 2
