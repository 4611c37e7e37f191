"""API keys and principals (DESIGN §6)."""
