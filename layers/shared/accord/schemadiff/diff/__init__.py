"""The comparison engine, split by keyword family: `comparer` (the walk), `scalars`, `objects`,
`arrays`, `combinators` (the rules), `common` (bits, flags, how changes are written)."""
from .common import _label
from .comparer import Comparer, Options

__all__ = ["Comparer", "Options", "_label"]
