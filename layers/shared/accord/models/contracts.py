"""Requests of the contracts and proposals functions (publish, compare, impact, registrations,
acknowledgments, objections)."""
from typing import Any, Literal
from uuid import UUID

from pydantic import ConfigDict, Field

from accord.models.base import Model

GuaranteeMode = Literal["normal", "strict"]
# schema-compatibility §7; a publish without one follows the line (see domain.contracts.line_profile)
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
