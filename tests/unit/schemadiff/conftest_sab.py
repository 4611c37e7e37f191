
import accord.schemadiff.diff as D
orig = D.Comparer._slot_bits
def bad(self, *a, **k):
    r = orig(self, *a, **k)
    return 0
D.Comparer._slot_bits = bad
