"""Request bodies of the registry's functions: assets, dependencies (lineage), audit results
(assets function); publish, compare, impact, registrations, acknowledgments, objections
(contracts and proposals functions). Each function loads this module on its first body only."""
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import ConfigDict, Field, field_validator

from accord.http.models import Model
from accord.registry.naming import CONTROL, check_environment, check_fqn

_CONTROL = CONTROL


class AssetCreate(Model):
    fqn: str = Field(min_length=1, max_length=1000)
    owner_team_id: UUID
    environment: str = "production"
    owner_user_id: UUID | None = None
    owner_user_name: str | None = Field(default=None, max_length=255)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("fqn")
    @classmethod
    def _fqn(cls, v: str):
        return check_fqn(v)

    @field_validator("environment")
    @classmethod
    def _env(cls, v: str):
        return check_environment(v)


class AssetUpdate(Model):
    """Every field optional; `metadata` merges (RFC 7396), `owner_user_id: null` clears it."""
    fqn: str | None = Field(default=None, min_length=1, max_length=1000)
    owner_team_id: UUID | None = None
    environment: str | None = None
    owner_user_id: UUID | None = None
    owner_user_name: str | None = Field(default=None, max_length=255)
    metadata: dict[str, Any] | None = None

    @field_validator("fqn")
    @classmethod
    def _fqn(cls, v):
        return None if v is None else check_fqn(v)

    @field_validator("environment")
    @classmethod
    def _env(cls, v):
        return None if v is None else check_environment(v)


DependencyType = Literal["consumes", "references", "transforms"]


class DependencyCreate(Model):
    """The asset in the path depends on `target_asset_id` (tessera-sdk) alias `depends_on_asset_id`
    (Tessera's own API)."""
    target_asset_id: UUID | None = None
    depends_on_asset_id: UUID | None = None
    dependency_type: DependencyType = "consumes"
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("dependency_type", mode="before")
    @classmethod
    def _lower(cls, v):
        return v.lower() if isinstance(v, str) else v


AuditStatus = Literal["passed", "failed", "partial"]


class GuaranteeResult(Model):
    guarantee_id: str = Field(min_length=1, max_length=255)
    passed: bool
    error_message: str | None = Field(default=None, max_length=2000)
    rows_checked: int | None = Field(default=None, ge=0)
    rows_failed: int | None = Field(default=None, ge=0)
    metadata: dict[str, Any] = Field(default_factory=dict)


class AuditResultCreate(Model):
    status: AuditStatus
    guarantees_checked: int | None = Field(default=None, ge=0, le=1_000_000)
    guarantees_passed: int | None = Field(default=None, ge=0, le=1_000_000)
    guarantees_failed: int | None = Field(default=None, ge=0, le=1_000_000)
    triggered_by: str = Field(min_length=1, max_length=50)
    run_id: str | None = Field(default=None, max_length=255)
    guarantee_results: list[GuaranteeResult] = Field(default_factory=list, max_length=1000)
    details: dict[str, Any] = Field(default_factory=dict)
    run_at: datetime | None = None

    @field_validator("triggered_by")
    @classmethod
    def _source(cls, v: str):
        v = v.strip()
        if not v or _CONTROL.search(v):
            raise ValueError("triggered_by must be non-blank text without control characters")
        return v


GuaranteeMode = Literal["normal", "strict"]
# schema-compatibility §7; a publish without one follows the line (see registry.contracts.line_profile)
Profile = Literal["table", "event"]


class PublishRequest(Model):
    """tessera-sdk sends {schema, version, compatibility_mode, guarantees}; `version` is optional
    here (server-assigned from the diff), the rest are Accord's additions."""
    model_config = ConfigDict(defer_build=True, populate_by_name=True)

    schema_: dict[str, Any] = Field(alias="schema")
    version: str | None = Field(default=None, max_length=128)
    compatibility_mode: str | None = Field(default=None, max_length=40)
    guarantees: dict[str, Any] | None = None
    guarantee_mode: GuaranteeMode | None = None
    reason: str | None = Field(default=None, max_length=1000)
    proposal_expires_in_days: int | None = Field(default=None, ge=1, le=365)
    profile: Profile | None = None


class CompareRequest(Model):
    old_schema: dict[str, Any]
    new_schema: dict[str, Any]
    compatibility_mode: str = Field(default="backward", max_length=40)
    profile: Profile = "table"  # no asset to decide by: the registry's default


class ImpactRequest(Model):
    proposed_schema: dict[str, Any]
    compatibility_mode: str | None = Field(default=None, max_length=40)
    proposed_guarantees: dict[str, Any] | None = None
    depth: int | None = Field(default=None, ge=1, le=10)
    profile: Profile | None = None


class RegistrationCreate(Model):
    consumer_team_id: UUID
    pinned_version: str | None = Field(default=None, max_length=128)
    contract_id: UUID | None = None  # also accepted as ?contract_id= (what tessera-sdk sends)


class RegistrationUpdate(Model):
    pinned_version: str | None = Field(default=None, max_length=128)
    status: Literal["active", "migrating", "inactive"] | None = None


class AcknowledgmentCreate(Model):
    consumer_team_id: UUID
    response: Literal["approved", "blocked", "migrating"]
    notes: str | None = Field(default=None, max_length=2000)


class ObjectionCreate(Model):
    reason: str = Field(min_length=1, max_length=1000)


class ReasonBody(Model):
    reason: str | None = Field(default=None, max_length=1000)
