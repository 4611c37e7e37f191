"""What a run ends with: exit codes, and the one-sentence errors the CLI prints."""

OK = 0
BREAKING = 1   # a check found a breaking change (contract check, dbt check)
FAILURE = 2    # usage, auth, connection, or the server refused the request


class CliError(Exception):
    """An error the user can act on: printed as one sentence on stderr, never a traceback."""

    def __init__(self, message: str, code: int = FAILURE):
        super().__init__(message)
        self.message = message
        self.code = code


class ApiError(CliError):
    """The server answered with an error status."""

    def __init__(self, message: str, status: int, error_code: str | None = None, body=None):
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.body = body
