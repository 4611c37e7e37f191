"""Requests of the identity routes: tenants, API keys, teams."""
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator

from accord.auth.principal import PROJECT_ROLES
from accord.http.models import Model, StrictModel

Scope = Literal["read", "write", "admin"]
ProjectRole = Literal["TENANT_ADMIN", "PROJECT_EDITOR", "PROJECT_OPERATOR", "PROJECT_VIEWER"]


class TenantCreate(StrictModel):
    name: str = Field(min_length=1, max_length=100)


class TenantSettingsUpdate(StrictModel):
    """Send a field to change it, null to go back to the default."""
    retention_days: int | None = Field(default=None, ge=1, le=3650)
    report_rate_per_second: int | None = Field(default=None, ge=1, le=100_000)


class ApiKeyCreate(StrictModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[Scope] = Field(default_factory=lambda: ["read"], min_length=1, max_length=3)
    team_id: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    project_roles: dict[str, ProjectRole] = Field(default_factory=dict, max_length=500)
    expires_at: datetime | None = None

    @field_validator("project_roles")
    @classmethod
    def _project_ids(cls, roles):
        for project_id in roles:
            if not (project_id.isascii() and project_id.isdigit()) or len(project_id) > 12:
                raise ValueError(f"project id {project_id!r} must be a non-negative integer")
        return roles


class TeamCreate(Model):
    # Tessera's SDK sends exactly {name, metadata}; unknown fields are ignored as FastAPI does.
    name: str = Field(min_length=1, max_length=255)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str):
        if not v.strip():
            raise ValueError("name must not be blank")
        return v.strip()


class TeamUpdate(Model):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    metadata: dict[str, Any] | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, v):
        if v is not None and not v.strip():
            raise ValueError("name must not be blank")
        return v.strip() if v else v


assert set(PROJECT_ROLES) == set(ProjectRole.__args__)
