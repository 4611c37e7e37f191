"""The `accord` command-line client (DESIGN §13)."""
__version__ = "0.1.0"
