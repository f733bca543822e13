"""How the command line fails: one line that says what is wrong and how to
fix it, and a non-zero exit; never a traceback."""

EXIT_USAGE = 2
EXIT_FAIL = 1


class CLIError(Exception):
    """A failure to report as one line, with the exit code to use."""

    def __init__(self, message: str, code: int = EXIT_FAIL):
        super().__init__(message)
        self.code = code
