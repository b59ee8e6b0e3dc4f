"""Errors the toolkit raises on purpose, each with a message that names the fix."""


class DataError(ValueError):
    """The input data or arguments cannot be used; the message says why and what to do."""


class BackendUnavailable(RuntimeError):
    """A search backend's engine cannot run here; the message says what to install or which method to use."""


class AliasedTermWarning(UserWarning):
    """Terms of a library were left out: the rows sample their sine or cosine below the Nyquist rate."""
