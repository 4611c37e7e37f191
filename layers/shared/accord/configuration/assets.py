"""Asset configurations — the configuration view of a registry asset (DESIGN §2).

* `id` is the asset's tenant-scoped integer number (a sequence); the configuration item points
  at its registry asset (`asset_id`) and the registry asset back at it (`config_number`).
* Create derives the fqn from the payload (config/fqn.py) in environment `production`. A live
  registry asset with that fqn and no configuration is attached to; one that already has a
  configuration → 409; otherwise a registry asset is created (no owner team) — in the same
  transaction as the configuration either way.
* PUT: all fields optional; options merge key by key (null removes an option); payload is
  replaced and validated against the (possibly new) type; a type change with no payload
  re-validates the stored one; the connection must be usable in the project and of the type.
  When the derived fqn changes, the registry asset is renamed with it (same transaction).
* DELETE removes the configuration. Its registry asset is soft-deleted with it only when the
  configuration view created it and the registry has nothing on it (no owner team, no contract,
  consumer, dependency or audit history); otherwise it stays, unconfigured.
* Move: one transaction for every asset (all or none), see `move`.
"""
import base64
import json
import uuid

from accord import clock, errors
from accord.configuration import access, connections, projects
from accord.configuration import fqn as fqns
from accord.store import configuration as store
from accord.store.db import ConditionFailed

ENVIRONMENT = "production"
DEFAULT_PAGE = 100
MAX_PAGE = 500
MAX_TRANSACTION = 100   # DynamoDB TransactWriteItems
WRITE_ATTEMPTS = 4
MOVED = {"message": "Assets moved successfully"}
DELETED = {"message": "Asset deleted successfully"}


# ------------------------------------------------------------------ errors and parsing
def not_found(number) -> errors.NotFound:
    return errors.NotFound(f"Asset {number} not found.", code="ASSET_NOT_FOUND")


def _invalid(detail: list, hint: str = "") -> errors.BadRequest:
    from accord.http.router import validation_message
    return errors.BadRequest(validation_message(detail) + hint, code="VALIDATION_ERROR", detail=detail)


def _pydantic_detail(exc, prefix: str) -> list:
    from accord.http.detail import validation_detail
    return validation_detail(exc, ("body", prefix))


def _bad(field: str, message: str) -> errors.BadRequest:
    return _invalid([{"loc": ["body", *field.split(".")], "msg": message, "type": "value_error"}])


def _payload_hint(asset_type: str) -> str:
    from accord.configuration.models import PAYLOADS
    model = PAYLOADS[asset_type]
    required = [f.alias or n for n, f in model.model_fields.items() if f.is_required()]
    optional = [f.alias or n for n, f in model.model_fields.items() if not f.is_required()]
    return (f" (a {asset_type} payload has {', '.join(required)}"
            + (f"; optional {', '.join(optional)}" if optional else "") + ")")


def validate_payload(asset_type: str, payload: dict, kept: bool = False) -> dict:
    from pydantic import ValidationError

    from accord.configuration.models import PAYLOADS
    connections.check_size(payload, "payload")
    try:
        model = PAYLOADS[asset_type].model_validate(payload)
    except ValidationError as exc:
        hint = _payload_hint(asset_type) + (" — the stored payload does not fit the new type; send a payload"
                                            if kept else "")
        raise _invalid(_pydantic_detail(exc, "payload"), hint) from None
    return model.model_dump(by_alias=True, exclude_unset=True, exclude_none=True)


def validate_options(asset_type: str, options) -> dict:
    from pydantic import ValidationError

    from accord.configuration.models import LIGHT_SCAN_TYPES, Options
    if not isinstance(options, Options):
        try:
            options = Options.model_validate(options)
        except ValidationError as exc:
            raise _invalid(_pydantic_detail(exc, "options")) from None
    out = options.model_dump(exclude_none=True)
    if out.get("only_light_scan") == "true" and asset_type not in LIGHT_SCAN_TYPES:
        raise _bad("options.only_light_scan",
                   f"light scans are supported for {', '.join(LIGHT_SCAN_TYPES)} only, not {asset_type}")
    connections.check_size(out, "options")
    return out


def derive_fqn(asset_type: str, payload: dict) -> str:
    try:
        return fqns.derive(asset_type, payload)
    except ValueError as exc:
        raise _bad("payload", str(exc)) from None


def _connection_for(tenant: str, project_id: int, connection_id: int, asset_type: str) -> dict:
    conn = store.get_connection(tenant, connection_id)
    if not connections.usable_in(conn, project_id):
        raise errors.NotFound(f"Connection {connection_id} not found in project {project_id} (nor among the "
                              "global connections).", code="CONNECTION_NOT_FOUND")
    if conn["type"] != asset_type:
        raise errors.BadRequest(f"Connection {connection_id} is a {conn['type']} connection; a {asset_type} asset "
                                f"needs a {asset_type} connection.", code="CONNECTION_TYPE_MISMATCH")
    return conn


def parse_number(raw) -> int:
    return access.parse_id(raw, not_found(raw))


def load(tenant: str, project_id: int, number: int, consistent: bool = True) -> dict:
    cfg = store.get_config(tenant, number, consistent)
    if cfg is None or cfg["project_id"] != project_id:
        raise not_found(number)
    return cfg


# ------------------------------------------------------------------ views
def view(cfg: dict, conn: dict | None) -> dict:
    """The seed's asset fields, plus `fqn`, `registry_asset_id` (the registry view's id) and
    `updated_at`."""
    return {"id": cfg["id"], "project_id": cfg["project_id"], "name": cfg["name"],
            "description": cfg.get("description"), "type": cfg["type"], "options": cfg.get("options") or {},
            "payload": cfg["payload"], "created_by": cfg.get("created_by"), "created_at": cfg["created_at"],
            "connection_id": cfg["connection_id"], "db_type": (conn or {}).get("db_type"),
            "fqn": cfg["fqn"], "registry_asset_id": cfg["asset_id"],
            "updated_at": cfg.get("updated_at") or cfg["created_at"]}


def _attributes(contract: dict | None) -> list[dict]:
    """The active contract's top-level properties, in schema order."""
    if not contract:
        return []
    from accord.store.docs import unpack
    schema = (unpack(contract["doc"]) if "doc" in contract else contract).get("schema") or {}
    props = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(props, dict):
        return []
    required = set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
    out = []
    for name, prop in props.items():
        kind = prop.get("type") if isinstance(prop, dict) else None
        out.append({"id": name, "name": name, "monitored": True, "status": "active", "type": kind,
                    "required": name in required})
    return out


def views(tenant: str, cfgs: list[dict], *, with_attributes: bool, with_schedules: bool,
          with_lineage: bool) -> list[dict]:
    """Views of a page of configurations with batch reads only: one BatchGetItem for the
    connections (db_type), one for the registry assets, one for the active contracts, one Query
    per asset for its lineage edges (parallel; bounded by the page size) and one BatchGetItem for
    the lineage neighbours. Never a read per asset beyond the lineage Query."""
    if not cfgs:
        return []
    conns = store.get_connections(tenant, {c["connection_id"] for c in cfgs})
    out = [view(c, conns.get(c["connection_id"])) for c in cfgs]
    assets: dict[str, dict] = {}
    if with_attributes or with_lineage:
        assets = store.registry_assets(tenant, {c["asset_id"] for c in cfgs})
    live = {a: x for a, x in assets.items() if not x.get("deleted_at")}
    if with_attributes:
        contract_ids = {a["active_contract_id"] for a in live.values() if a.get("active_contract_id")}
        contracts = store.contracts(tenant, contract_ids) if contract_ids else {}
        for v, c in zip(out, cfgs):
            asset = live.get(c["asset_id"]) or {}
            v["attributes"] = _attributes(contracts.get(asset.get("active_contract_id")))
    if with_schedules:
        for v, c in zip(out, cfgs):
            v["scheduled_upload"] = c.get("scheduled_upload")
    if with_lineage:
        edges = store.edges_of_many(tenant, [c["asset_id"] for c in cfgs if c["asset_id"] in live])
        others = {n for ups, downs in edges.values() for n in (*ups, *downs)} - set(assets)
        neighbours = {**assets, **(store.registry_assets(tenant, others) if others else {})}

        def numbers(ids):
            found = (neighbours.get(i) or {} for i in ids)
            nums = sorted({a["config_number"] for a in found if a.get("config_number") is not None
                           and not a.get("deleted_at")})
            return [str(n) for n in nums]
        for v, c in zip(out, cfgs):
            ups, downs = edges.get(c["asset_id"], ([], []))
            v["parents"], v["children"] = numbers(ups), numbers(downs)
    return out


# ------------------------------------------------------------------ reads
def get(principal, project_id: int, raw_id, *, with_attributes=True, with_schedules=True,
        with_lineage=True) -> dict:
    access.require(principal, project_id, access.READ, "read its assets")
    tenant = principal.tenant
    projects.load(tenant, project_id)
    cfg = load(tenant, project_id, parse_number(raw_id))
    return views(tenant, [cfg], with_attributes=with_attributes, with_schedules=with_schedules,
                 with_lineage=with_lineage)[0]


def encode_cursor(after: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        after = raw["after"]
        if isinstance(after, int) and not isinstance(after, bool) and 0 <= after <= access.MAX_ID:
            return after
    except (ValueError, KeyError, TypeError):
        pass
    raise errors.BadRequest("Query parameter 'cursor' is not a cursor this list returned.", code="VALIDATION_ERROR")


def list_project(principal, project_id: int, *, limit: int, cursor: str | None, **flags) -> tuple[list, int, str | None]:
    """(views, total, next cursor) of one project's assets, by id."""
    access.require(principal, project_id, access.READ, "read its assets")
    tenant = principal.tenant
    project = projects.load(tenant, project_id, consistent=False)
    items, more = store.list_configs(tenant, project_id, decode_cursor(cursor), limit)
    nxt = encode_cursor(items[-1]["id"]) if more and items else None
    return views(tenant, items, **flags), max(int(project.get("asset_count") or 0), 0), nxt


def list_tenant(principal, *, limit: int, cursor: str | None, **flags) -> tuple[list, int, str | None]:
    """Every asset the key may read: a tenant admin's from the tenant index (one Query); anyone
    else's merged from the projects they hold a role in (one Query per such project)."""
    tenant = principal.tenant
    after = decode_cursor(cursor)
    readable = access.readable_projects(principal)
    if readable is None:
        items, more = store.list_configs(tenant, None, after, limit)
        total = store.configured_total(tenant)
    else:
        pages = _per_project(tenant, readable, after, limit)
        merged = sorted((c for items, _ in pages for c in items), key=lambda c: c["id"])
        items, more = merged[:limit], len(merged) > limit
        counts = store.get_projects(tenant, readable) if readable else {}
        total = sum(max(int((counts.get(p) or {}).get("asset_count") or 0), 0) for p in readable)
    nxt = encode_cursor(items[-1]["id"]) if more and items else None
    return views(tenant, items, **flags), total, nxt


def _per_project(tenant: str, project_ids: list[int], after: int | None, limit: int):
    if len(project_ids) <= 1:
        return [store.list_configs(tenant, p, after, limit) for p in project_ids]
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=min(8, len(project_ids))) as pool:
        return list(pool.map(lambda p: store.list_configs(tenant, p, after, limit), project_ids))


# ------------------------------------------------------------------ create
def _new_registry_asset(fqn: str, description: str | None, asset_type: str, number: int, now: str,
                        owner: dict) -> dict:
    """A registry asset as the registry's own create writes it, owned by `owner` (teams.default_owner).
    `config_owner_team_id` remembers that owner: while the asset still has it, nobody claimed it in the
    registry, and deleting the configuration deletes the asset too."""
    metadata = {"source_type": asset_type}
    if description:
        metadata["description"] = description
    return {"id": str(uuid.uuid4()), "fqn": fqn, "environment": ENVIRONMENT,
            "owner_team_id": owner["id"], "owner_team_name": owner["name"], "owner_user_id": None,
            "owner_user_name": None, "metadata": metadata, "created_at": now, "updated_at": now,
            "active_contract_id": None, "active_contract_version": None, "rev": 1,
            "config_number": number, "created_via": "configuration", "config_owner_team_id": owner["id"]}


def _already_configured(fqn: str, number) -> errors.Conflict:
    return errors.Conflict(f"Asset '{fqn}' already has a configuration (asset {number}); update that one instead.",
                           code="ASSET_ALREADY_CONFIGURED")


def create(principal, project_id: int, body) -> dict:
    from accord.identity.teams import default_owner
    from accord.registry.assets import search_tokens
    access.require(principal, project_id, access.WRITE, "create assets")
    tenant = principal.tenant
    projects.load(tenant, project_id)
    payload = validate_payload(body.type, body.payload)
    options = validate_options(body.type, body.options)
    fqn = derive_fqn(body.type, payload)
    conn = _connection_for(tenant, project_id, body.connection_id, body.type)
    number = store.next_id(tenant, "asset")
    now = clock.iso()
    cfg = {"id": number, "project_id": project_id, "name": body.name, "description": body.description,
           "type": body.type, "options": options, "payload": payload, "connection_id": conn["id"],
           "created_by": principal.display, "created_at": now, "updated_at": now,
           "scheduled_upload": _schedule(body.scheduled_upload), "fqn": fqn, "asset_id": None, "rev": 1}
    owner = None
    for _ in range(WRITE_ATTEMPTS):
        guard = store.registry_guard(tenant, ENVIRONMENT, fqn)
        asset = store.registry_asset(tenant, guard["asset_id"]) if guard else None
        try:
            if asset is not None and not asset.get("deleted_at"):
                if asset.get("config_number") == number:  # our own write landed (a retried request)
                    return view(cfg, conn)
                if asset.get("config_number") is not None:
                    raise _already_configured(fqn, asset["config_number"])
                cfg["asset_id"] = asset["id"]
                store.create_config(tenant, cfg, conn["type"], attach_to=asset)
            else:
                owner = owner or default_owner(tenant, principal.team_id)
                new_asset = _new_registry_asset(fqn, body.description, body.type, number, now, owner)
                cfg["asset_id"] = new_asset["id"]
                store.create_config(tenant, cfg, conn["type"], new_asset=new_asset, tokens=search_tokens(fqn))
            return view(cfg, conn)
        except ConditionFailed as exc:
            if "project" in exc.failed:
                raise projects.not_found(project_id) from None
            if "connection" in exc.failed:
                conn = _connection_for(tenant, project_id, body.connection_id, body.type)
            if "team" in exc.failed:  # the owner team was deleted or renamed meanwhile: pick again
                owner = None
            # else: the fqn was registered, or the asset changed, meanwhile: look again
    raise errors.Conflict("The asset kept changing while it was configured; retry.", code="CONCURRENT_UPDATE")


def _schedule(value) -> dict | None:
    if value is None:
        return None
    return value.model_dump() if hasattr(value, "model_dump") else dict(value)


# ------------------------------------------------------------------ update
_NOT_NULL = ("name", "type", "options", "payload", "connection_id")


def update(principal, project_id: int, raw_id, body, fields_set: set) -> dict:
    from accord.registry.assets import search_tokens
    tenant = principal.tenant
    level = access.OPERATE if fields_set <= {"scheduled_upload"} else access.WRITE
    access.require(principal, project_id, level, "change this" if level == access.WRITE else "change schedules")
    for name in _NOT_NULL:
        if name in fields_set and getattr(body, name) is None:
            raise _bad(name, "may not be null")
    projects.load(tenant, project_id)
    number = parse_number(raw_id)
    for _ in range(WRITE_ATTEMPTS):
        old = load(tenant, project_id, number)
        new = dict(old)
        if body.name is not None:
            new["name"] = body.name
        if "description" in fields_set:
            new["description"] = body.description
        new_type = body.type or old["type"]
        new["type"] = new_type
        if body.payload is not None:
            new["payload"] = validate_payload(new_type, body.payload)
        elif new_type != old["type"]:
            new["payload"] = validate_payload(new_type, old["payload"], kept=True)
        if body.options is not None:
            merged = dict(old.get("options") or {})
            for key, value in body.options.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            new["options"] = validate_options(new_type, merged)
        elif new_type != old["type"]:
            new["options"] = validate_options(new_type, old.get("options") or {})
        if "scheduled_upload" in fields_set:
            new["scheduled_upload"] = _schedule(body.scheduled_upload)
        connection_id = body.connection_id if body.connection_id is not None else old["connection_id"]
        conn = _connection_for(tenant, project_id, connection_id, new_type)
        new["connection_id"] = conn["id"]
        new["fqn"] = derive_fqn(new_type, new["payload"])
        new["updated_at"] = clock.iso()
        new["rev"] = old["rev"] + 1
        rename = None
        if new["fqn"] != old["fqn"]:
            rename = _rename(tenant, old, new, search_tokens)
        try:
            store.update_config(tenant, old, new, conn["type"], rename=rename)
            return view(new, conn)
        except ConditionFailed as exc:
            if "guard" in exc.failed:
                raise _fqn_taken(tenant, new["fqn"]) from None
            continue  # the configuration, its connection or its asset changed meanwhile: read again
    raise errors.Conflict("The asset kept changing while this update was applied; retry.", code="CONCURRENT_UPDATE")


def _fqn_taken(tenant: str, fqn: str) -> errors.Conflict:
    guard = store.registry_guard(tenant, ENVIRONMENT, fqn)
    which = f" (registry asset {guard['asset_id']})" if guard else ""
    return errors.Conflict(f"Another asset is already registered as '{fqn}'{which}; this payload would rename "
                           "this asset onto it.", code="DUPLICATE_ASSET")


def _rename(tenant: str, old_cfg: dict, new_cfg: dict, search_tokens) -> tuple | None:
    """(old asset, renamed asset, tokens...) when the registry asset is still ours and live."""
    asset = store.registry_asset(tenant, old_cfg["asset_id"])
    if asset is None or asset.get("deleted_at") or asset.get("config_number") != old_cfg["id"]:
        return None
    if store.registry_guard(tenant, asset["environment"], new_cfg["fqn"]):
        raise _fqn_taken(tenant, new_cfg["fqn"])
    renamed = {**asset, "fqn": new_cfg["fqn"], "updated_at": new_cfg["updated_at"], "rev": asset["rev"] + 1}
    return asset, renamed, search_tokens(asset["fqn"]), search_tokens(renamed["fqn"])


# ------------------------------------------------------------------ delete
def _registry_needs(tenant: str, asset: dict) -> bool:
    if asset.get("created_via") != "configuration" or asset.get("owner_team_id") != asset.get("config_owner_team_id"):
        return True  # registered in the registry, or claimed there by another team since
    if asset.get("active_contract_id") or asset.get("pending_proposal_id"):
        return True
    return bool(store.registry_dependents(tenant, asset["id"]))


def delete(principal, project_id: int, raw_id) -> dict:
    from accord.registry.assets import search_tokens
    access.require(principal, project_id, access.WRITE, "delete its assets")
    tenant = principal.tenant
    projects.load(tenant, project_id)
    number = parse_number(raw_id)
    for attempt in range(WRITE_ATTEMPTS):
        try:
            cfg = load(tenant, project_id, number)
        except errors.NotFound:
            if attempt:  # gone since the first read: deleted (by this request's retried write, or another)
                return DELETED
            raise
        asset = store.registry_asset(tenant, cfg["asset_id"])
        if asset is not None and asset.get("config_number") != cfg["id"]:
            asset = None  # not pointing at us (cannot happen): leave it alone
        try:
            if asset is None or asset.get("deleted_at") or _registry_needs(tenant, asset):
                store.delete_config(tenant, cfg, asset)
            else:
                store.delete_config(tenant, cfg, asset, soft_delete=True, tokens=search_tokens(asset["fqn"]),
                                    at=clock.iso())
            return DELETED
        except ConditionFailed:
            continue
    raise errors.Conflict("The asset kept changing while it was deleted; retry.", code="CONCURRENT_UPDATE")


# ------------------------------------------------------------------ move
def _move_ids(raw_ids: list) -> tuple[list[int], list[str]]:
    """(numbers, ids that cannot name an asset) in request order, without repeats."""
    numbers, unknown = [], []
    for raw in raw_ids:
        text = str(raw).strip()
        if text.isascii() and text.isdigit() and len(text) <= 12:
            if int(text) not in numbers:
                numbers.append(int(text))
        elif text not in unknown:
            unknown.append(str(raw))
    return numbers, unknown


def move(principal, target_id: int, body) -> dict:
    """Move assets from `source_project_id` to the path's project in ONE transaction.

    Needs PROJECT_EDITOR (or TENANT_ADMIN) in both projects. With `target_connection_id` every
    asset is re-pointed at that connection, which must be usable in the target project (its own
    or global) and of each asset's type. Without it, assets on global connections keep them and
    an asset on a project connection of the source project is refused (409): that connection
    does not exist in the target project. Unknown ids (or ids of other projects) → 404 naming
    them. At most 100 transaction parts: one per asset, two project counts, one per connection
    whose use count changes."""
    tenant = principal.tenant
    source = body.source_project_id
    access.require(principal, source, access.WRITE, "move assets out of it")
    access.require(principal, target_id, access.WRITE, "move assets into it")
    if source == target_id:
        raise _bad("source_project_id", f"is the target project {target_id}; there is nothing to move")
    projects.load(tenant, target_id)
    projects.load(tenant, source)
    numbers, unknown = _move_ids(body.source_asset_ids)
    if len(numbers) + 2 > MAX_TRANSACTION:
        raise _bad("source_asset_ids", f"at most {MAX_TRANSACTION - 2} assets move in one request (one "
                                       "all-or-none transaction)")
    target_conn = None
    if body.target_connection_id is not None:
        target_conn = store.get_connection(tenant, body.target_connection_id)
        if not connections.usable_in(target_conn, target_id):
            raise errors.NotFound(f"Connection {body.target_connection_id} not found in project {target_id} (nor "
                                  "among the global connections).", code="CONNECTION_NOT_FOUND")
    planned: dict[int, int] = {}
    for attempt in range(WRITE_ATTEMPTS):
        found = store.get_configs(tenant, numbers, consistent=True) if numbers else {}
        if attempt and planned and all(n in found and found[n]["project_id"] == target_id
                                       and found[n]["rev"] == planned[n] for n in numbers):
            return MOVED  # this request's own transaction landed (a retried write)
        missing = unknown + [str(n) for n in numbers if n not in found or found[n]["project_id"] != source]
        if missing:
            raise errors.NotFound(f"Asset(s) not found in project {source}: {', '.join(missing)}.",
                                  code="ASSET_NOT_FOUND")
        olds = [found[n] for n in numbers]
        pairs, deltas = _plan(tenant, olds, source, target_id, target_conn)
        parts = store.transaction_size(len(pairs), sum(1 for d in deltas.values() if d))
        if parts > MAX_TRANSACTION:
            raise _bad("source_asset_ids", f"this move needs {parts} transaction parts (assets, projects, "
                                           f"connections); at most {MAX_TRANSACTION} fit one all-or-none "
                                           "transaction: move fewer assets at a time")
        planned = {new["id"]: new["rev"] for _, new in pairs}
        try:
            store.move_configs(tenant, pairs, source, target_id, deltas,
                               target_conn["type"] if target_conn else None)
            return MOVED
        except ConditionFailed as exc:
            if "project" in exc.failed:
                raise projects.not_found(target_id) from None
            if "connection" in exc.failed and target_conn is not None:
                target_conn = store.get_connection(tenant, target_conn["id"])
                if not connections.usable_in(target_conn, target_id):
                    raise errors.NotFound(f"Connection {body.target_connection_id} not found in project "
                                          f"{target_id}.", code="CONNECTION_NOT_FOUND") from None
            # else an asset changed or moved meanwhile: read again (all or none)
    raise errors.Conflict("The assets kept changing while they were moved; retry.", code="CONCURRENT_UPDATE")


def _plan(tenant: str, olds: list[dict], source: int, target: int, target_conn: dict | None):
    now = clock.iso()
    if target_conn is not None:
        wrong = [f"{c['id']} ({c['type']})" for c in olds if c["type"] != target_conn["type"]]
        if wrong:
            raise errors.BadRequest(
                f"Connection {target_conn['id']} is a {target_conn['type']} connection; only assets of that type "
                f"can use it. Other types: {', '.join(wrong)}.", code="CONNECTION_TYPE_MISMATCH")
    else:
        current = store.get_connections(tenant, {c["connection_id"] for c in olds})
        stuck = [f"{c['id']} (connection {c['connection_id']})" for c in olds
                 if (current.get(c["connection_id"]) or {}).get("scope") != "GLOBAL"]
        if stuck:
            raise errors.Conflict(
                f"Asset(s) {', '.join(stuck)} use a connection of project {source}, which does not exist in "
                f"project {target}; send target_connection_id (a connection of project {target} or a global one).",
                code="CONNECTION_NOT_IN_TARGET")
    pairs, deltas = [], {}
    for old in olds:
        new = {**old, "project_id": target, "updated_at": now, "rev": old["rev"] + 1}
        if target_conn is not None and target_conn["id"] != old["connection_id"]:
            new["connection_id"] = target_conn["id"]
            deltas[old["connection_id"]] = deltas.get(old["connection_id"], 0) - 1
            deltas[target_conn["id"]] = deltas.get(target_conn["id"], 0) + 1
        pairs.append((old, new))
    return pairs, deltas
