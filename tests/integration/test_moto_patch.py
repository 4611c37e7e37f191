"""The transaction rollback of local/moto_patches.py keeps moto all-or-nothing."""
import pytest

from accord.store import db


def test_a_failed_transaction_leaves_every_item_as_it_was(aws):
    db.put({"PK": "a", "SK": "1", "v": 1})
    db.put({"PK": "b", "SK": "1", "v": 1})
    with pytest.raises(db.ConditionFailed):
        db.transact([
            db.update_op("a", "1", "SET v = :v", values={":v": 2}),
            db.delete_op("b", "1"),
            db.put_op({"PK": "c", "SK": "1", "v": 3}),
            db.put_op({"PK": "a", "SK": "2"}, "attribute_exists(PK)"),  # fails
        ])
    assert db.get("a", "1")["v"] == 1 and db.get("b", "1")["v"] == 1 and db.get("c", "1") is None
    db.transact([db.update_op("a", "1", "SET v = :v", values={":v": 2}), db.delete_op("b", "1")])
    assert db.get("a", "1")["v"] == 2 and db.get("b", "1") is None
