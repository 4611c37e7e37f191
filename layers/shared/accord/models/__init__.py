"""Request models (pydantic v2), one module per family."""
