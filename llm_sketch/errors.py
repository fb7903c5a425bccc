"""The engine's error types: every message says what was wrong and, where it helps, what to do."""


class SketchError(ValueError):
    """Base of every error the engine raises on bad input or a failing dependency."""


class SVGError(SketchError):
    """The SVG could not be accepted or rendered; the message names the problem."""
