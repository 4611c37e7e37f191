"""Base classes for request models.

`defer_build=True`: pydantic builds a model's validator on first use instead of at import.
A function with a dozen models then pays at cold start only for the one the request needs
(building all of them at import cost the teams function ~60 ms, a third of boto3's import).
"""
from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Lenient: unknown fields are ignored (what FastAPI-based Tessera clients expect)."""
    model_config = ConfigDict(defer_build=True)


class StrictModel(BaseModel):
    """Unknown fields are rejected with a message naming them."""
    model_config = ConfigDict(defer_build=True, extra="forbid", str_strip_whitespace=True)
