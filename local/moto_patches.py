"""Make moto's TransactWriteItems cost what the transaction touches, not what the table holds.

moto 5.2 deep-copies the *whole table* once per transaction part, to roll back on failure; a
table of a few thousand items then makes every publish, move or team create take seconds, and
long e2e sessions time out. Here the rollback remembers only the items the transaction touches
and restores exactly those — the same all-or-nothing outcome. Used by the server-mode emulator
(local/moto_main.py) and the in-process integration tests.
"""
import copy
import json


def apply() -> None:
    import moto.dynamodb.models as models

    if getattr(models.DynamoDBBackend.transact_write_items, "_accord_patched", False):
        return
    original = models.DynamoDBBackend.transact_write_items

    class _NoTableCopy:
        """moto's `copy` module, except that whole tables are not copied."""

        def deepcopy(self, obj, memo=None):
            if isinstance(obj, models.Table):
                return obj
            return copy.deepcopy(obj, memo)

        def __getattr__(self, name):
            return getattr(copy, name)

    def _key(backend, op_type, op):
        table = backend.get_table(op["TableName"])
        if op_type != "Put":
            return op["Key"]
        attrs = op["Item"]
        key = {table.hash_key_attr: attrs[table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = attrs[table.range_key_attr]
        return key

    def transact_write_items(self, transact_items):
        touched = {}
        for part in transact_items[:100]:
            try:
                op_type, op = next(iter(part.items()))
                key = _key(self, op_type, op)
                ident = (op["TableName"], json.dumps(key, sort_keys=True))
                if ident not in touched:
                    current = self.get_item(op["TableName"], key)
                    before = copy.deepcopy(current.to_json()["Attributes"]) if current else None
                    touched[ident] = (op["TableName"], key, before)
            except Exception:  # malformed part: moto's own code reports it
                continue
        saved, models.copy = models.copy, _NoTableCopy()
        try:
            return original(self, transact_items)
        except Exception:
            for table_name, key, before in touched.values():
                try:
                    if before is None:
                        self.delete_item(table_name, key)
                    else:
                        self.put_item(table_name, before)
                except Exception:
                    pass
            raise
        finally:
            models.copy = saved

    transact_write_items._accord_patched = True
    models.DynamoDBBackend.transact_write_items = transact_write_items
