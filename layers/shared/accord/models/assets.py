"""Requests of the assets function: assets, dependencies (lineage) and audit results."""
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import Field, field_validator

from accord.domain.naming import CONTROL, check_environment, check_fqn
from accord.models.base import Model

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
