"""Put the shared layer (``layers/shared``) on sys.path so ``import accord.schemadiff`` works."""
import os
import sys

_LAYER = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "layers", "shared"))
if _LAYER not in sys.path:
    sys.path.insert(0, _LAYER)
