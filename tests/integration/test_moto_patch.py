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


def _gsi1(pk: str) -> list[tuple]:
    out, start = [], None
    while True:
        page, start = db.query(pk, index="GSI1", start=start, limit=7)
        out += [(i["PK"], i["SK"], i.get("v")) for i in page]
        if not start:
            return out


@pytest.mark.parametrize("seed", range(6))
def test_index_queries_see_exactly_the_items_filed_under_their_key(aws, seed):
    """local/moto_patches.py answers a GSI Query from a map of the index's items by hash key, kept
    by every write: after any mix of puts, in-place updates that set, change or remove the index
    key, deletes, transactions and failed (rolled back) transactions, each index query answers
    exactly what a walk of the whole table would (the model below), in order, across pages."""
    import random
    rnd = random.Random(seed)
    model: dict[tuple, dict] = {}
    hashes = [f"G#{i}" for i in range(4)]
    keys = [(f"P#{i % 9}", f"S#{i}") for i in range(40)]
    for step in range(160):
        pk, sk = rnd.choice(keys)
        roll = rnd.random()
        if roll < 0.35:
            item = {"PK": pk, "SK": sk, "v": step}
            if rnd.random() < 0.8:
                item.update(GSI1PK=rnd.choice(hashes), GSI1SK=f"{rnd.randrange(50):03d}")
            db.put(item)
            model[(pk, sk)] = item
        elif roll < 0.55 and (pk, sk) in model:
            g = rnd.choice(hashes)
            db.transact([db.update_op(pk, sk, "SET GSI1PK = :g, GSI1SK = :s, v = :v",
                                      values={":g": g, ":s": f"{step:03d}", ":v": step})])
            model[(pk, sk)].update(GSI1PK=g, GSI1SK=f"{step:03d}", v=step)
        elif roll < 0.65 and (pk, sk) in model:
            db.transact([db.update_op(pk, sk, "REMOVE GSI1PK, GSI1SK")])
            model[(pk, sk)].pop("GSI1PK", None)
            model[(pk, sk)].pop("GSI1SK", None)
        elif roll < 0.8:
            db.transact([db.delete_op(pk, sk)])
            model.pop((pk, sk), None)
        else:   # a transaction that fails after moving an item to another index key: nothing changes
            g = rnd.choice(hashes)
            with pytest.raises(db.ConditionFailed):
                db.transact([db.put_op({"PK": pk, "SK": sk, "GSI1PK": g, "GSI1SK": "000", "v": -1}),
                             db.put_op({"PK": "never", "SK": "1"}, "attribute_exists(PK)")])
        if step % 10 == 9:
            for g in hashes:
                want = sorted(((i["PK"], i["SK"], i["v"]) for i in model.values() if i.get("GSI1PK") == g),
                              key=lambda t: (model[t[:2]]["GSI1SK"], t[0], t[1]))
                assert _gsi1(g) == want, (seed, step, g)


def test_data_plane_answers_are_what_motos_serializer_writes(aws, monkeypatch):
    """local/moto_patches.py writes data-plane answers as plain JSON: for every answer of a mixed
    session (binary, nested maps and lists, sets, NULL, numbers, missing items, pages, batch reads,
    transactions, a condition failure) the body equals, as JSON, what moto's serializer writes."""
    import json

    from moto.core.responses import BaseResponse

    from local import moto_patches
    seen, real = [], moto_patches.fast_body

    def both(action, action_result):
        body = real(action, action_result)
        if body is not None:
            handler = _CurrentHandler.value
            _, _, want = BaseResponse.serialized(handler, action_result)
            assert json.loads(body) == json.loads(want), action
            seen.append(action)
        return body

    class _CurrentHandler:
        value = None
    from moto.dynamodb.responses import DynamoHandler
    patched = DynamoHandler.serialized

    def remember(self, action_result):
        _CurrentHandler.value = self
        return patched(self, action_result)
    monkeypatch.setattr(moto_patches, "fast_body", both)
    monkeypatch.setattr(DynamoHandler, "serialized", remember)

    doc = {"b": b"\x00\xff\x10", "m": {"x": 1.5, "l": [b"zz", None, False, {"n": -3}]}, "s": "é", "e": []}
    for i in range(5):
        db.put({"PK": "p", "SK": f"{i}", "GSI1PK": "g", "GSI1SK": f"{i}", **doc, "i": i})
    assert db.get("p", "3")["b"] == b"\x00\xff\x10" and db.get("p", "9") is None
    page, start = db.query("p", limit=2)
    assert len(page) == 2 and start
    assert len(db.query("g", index="GSI1")[0]) == 5
    assert len(db.batch_get([("p", "1"), ("p", "2"), ("p", "nope")])) == 2
    db.update("p", "1", "SET i = :i", values={":i": 10}, return_new=True)
    db.transact([db.update_op("p", "2", "SET i = :i", values={":i": 20}), db.delete_op("p", "4")])
    with pytest.raises(db.ConditionFailed):
        db.transact([db.put_op({"PK": "p", "SK": "0"}, "attribute_not_exists(PK)")])
    assert {"GetItem", "PutItem", "Query", "BatchGetItem", "UpdateItem", "TransactWriteItems"} <= set(seen)


def _moto_item_size_check(attrs: dict) -> bool:
    """moto 5.2's own rule, attribute by attribute (LimitedSizeDict.__setitem__): True if it raises."""
    from moto.dynamodb.models.dynamo_type import DynamoType, ItemSizeTooLarge, LimitedSizeDict
    d = LimitedSizeDict()
    try:
        for key, value in attrs.items():
            LimitedSizeDict.__setitem__(d, key, DynamoType(value))
    except ItemSizeTooLarge:
        return True
    return False


def test_item_size_limit_is_motos_for_items_near_it(aws):
    """local/moto_patches.py sums an item's size once, not once per attribute: items just under,
    at and just over moto's limit pass or fail exactly as moto's per-attribute check decides, as
    puts and as transaction puts (where a too-large item cancels the transaction)."""
    import random

    from botocore.exceptions import ClientError
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    assert getattr(Item.__init__, "_accord_patched", False)
    rnd = random.Random(7)
    outcomes = set()
    for n in range(40):
        attrs = {"PK": {"S": f"big{n}"}, "SK": {"S": "1"}}
        for k in range(rnd.randint(0, 10)):
            room = rnd.randint(1, 30000)
            attrs[f"a{k}"] = rnd.choice([{"S": "x" * room}, {"B": b"y" * room}, {"N": str(room)},
                                         {"M": {"m": {"S": "é" * room}, "n": {"BOOL": True}}},
                                         {"L": [{"S": "z" * room}, {"NULL": True}]}, {"SS": ["a", "b" * room]}])
        used = sum(len(k) + DynamoType(v).size() for k, v in attrs.items())
        attrs["pad"] = {"S": "p" * (405000 - used - len("pad") + rnd.randint(-3, 3))}   # within bytes of the limit
        too_large = _moto_item_size_check(attrs)
        rejected = []
        for write in (lambda: db.client().put_item(TableName=db.table_name(), Item=attrs),
                      lambda: db.client().transact_write_items(
                          TransactItems=[{"Put": {"TableName": db.table_name(), "Item": attrs}}])):
            try:
                write()
                rejected.append(False)
            except ClientError as e:
                assert e.response["Error"]["Code"] in ("ValidationException", "TransactionCanceledException")
                rejected.append(True)
        assert rejected == [too_large, too_large], n
        outcomes.add(too_large)
    assert outcomes == {True, False}
