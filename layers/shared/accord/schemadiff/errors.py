"""The one exception the engine raises for bad input."""


class SchemaError(ValueError):
    """Invalid, unsupported or too large schema input.

    ``path`` is the JSONPath of the offending schema location when known (``$`` = the root),
    ``side`` is ``"old"``, ``"new"`` or ``"history[i]"`` when the error is tied to one input.
    """

    def __init__(self, message, path=None, side=None):
        self.message = message
        self.path = path
        self.side = side
        text = message
        if path:
            text = f"{text} (at {path})"
        if side:
            text = f"{side} schema: {text}"
        super().__init__(text)
