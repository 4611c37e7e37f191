"""Errors the domain raises; the HTTP layer renders each in its family's envelope.

Every error carries an HTTP status, a stable machine code and a message a person can act on.
"""


class AccordError(Exception):
    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, *, code: str | None = None, detail=None, headers=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.detail = detail  # optional structured detail (e.g. validation error list)
        self.headers = headers or {}


class BadRequest(AccordError):
    status, code = 400, "BAD_REQUEST"


class Unauthorized(AccordError):
    status, code = 401, "UNAUTHORIZED"


class Forbidden(AccordError):
    status, code = 403, "FORBIDDEN"


class NotFound(AccordError):
    status, code = 404, "NOT_FOUND"


class MethodNotAllowed(AccordError):
    status, code = 405, "METHOD_NOT_ALLOWED"


class Conflict(AccordError):
    status, code = 409, "CONFLICT"


class PreconditionFailed(AccordError):
    status, code = 412, "PRECONDITION_FAILED"


class PayloadTooLarge(AccordError):
    status, code = 413, "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(AccordError):
    status, code = 415, "UNSUPPORTED_MEDIA_TYPE"


class Unprocessable(AccordError):
    status, code = 422, "VALIDATION_ERROR"


class TooManyRequests(AccordError):
    status, code = 429, "THROTTLED"


class ServiceUnavailable(AccordError):
    status, code = 503, "UNAVAILABLE"
