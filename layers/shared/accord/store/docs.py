"""Documents kept out of the indexes. Both GSIs project ALL attributes and are shared by every
entity, so an item with index keys is written three times. An entity's big, write-once part (a
contract's schema and guarantees, a proposal's proposed schema and who it affects) therefore lives
compressed (zlib JSON: a 5,000-property schema stays far below the 400 KB item limit, and schemas
nest deeper than DynamoDB's 32-level maps allow) in an item of its own in the entity's partition,
SK `DOC`, with no index keys. A read of the partition (one strongly consistent Query) gets both;
a read through an index fetches the documents with one BatchGetItem per 100 (`with_docs`). Items
written before the split hold `doc` themselves: readers take it first.
"""
import json
import zlib

from accord import errors
from accord.store import db, keys as k

MAX_DOC_BYTES = 350_000  # compressed, per item


def pack(doc: dict) -> bytes:
    raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    packed = zlib.compress(raw, 6)
    if len(packed) > MAX_DOC_BYTES:
        raise errors.PayloadTooLarge(f"The schema is too large to store ({len(packed)} bytes compressed; "
                                     f"the limit is {MAX_DOC_BYTES}).")
    return packed


def unpack(blob) -> dict:
    return json.loads(zlib.decompress(bytes(blob)))


def item(pk: str, doc: dict) -> dict:
    """The document item of the entity in partition `pk`."""
    return {"PK": pk, "SK": k.DOC_SK, "doc": pack(doc)}


def fetch(pks: list[str], consistent: bool = False) -> dict[str, bytes]:
    """{partition: packed doc} of these entities' document items: one BatchGetItem per 100."""
    if not pks:
        return {}
    return {d["PK"]: d["doc"] for d in db.batch_get([(pk, k.DOC_SK) for pk in pks], consistent=consistent)}


def with_docs(items: list[dict], consistent: bool = False) -> list[dict]:
    """Raw entity items (keys included) with their `doc`, fetched for those that do not hold it."""
    found = fetch([i["PK"] for i in items if "doc" not in i], consistent)
    return [i if "doc" in i else {**i, "doc": found[i["PK"]]} for i in items] if found else items


def attach(owner: dict, partition: list[dict]) -> dict:
    """The owner item with its `doc`, from a Query of its partition (an old item holds its own)."""
    if "doc" in owner:
        return owner
    doc = next((i for i in partition if i["SK"] == k.DOC_SK), None)
    return {**owner, "doc": doc["doc"]} if doc else owner
