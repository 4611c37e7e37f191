"""Request bodies of the sync routes (Tessera's `/sync/dbt/*` plus Accord's additions). The
manifest and run results are typed loosely on purpose: `ingest.dbt_manifest` checks their shape
and says in a sentence what is wrong, where a schema error would list pydantic's paths."""
from typing import Any
from uuid import UUID

from pydantic import ConfigDict, Field

from accord.http.models import Model


class DbtUploadOptions(Model):
    """Everything of an upload but the artefacts: what a job (POST /sync/dbt/jobs) carries too."""
    owner_team_id: UUID | None = None
    conflict_mode: str = Field(default="ignore", max_length=40)
    auto_publish_contracts: bool = False
    auto_delete: bool = False
    auto_create_proposals: bool = False
    auto_register_consumers: bool = False
    infer_consumers_from_refs: bool = True
    environment: str = Field(default="production", max_length=64)
    compatibility_mode: str | None = Field(default=None, max_length=40)
    dry_run: bool = False


class DbtUploadRequest(DbtUploadOptions):
    manifest: Any = None
    run_results: Any = None


class DbtImpactRequest(Model):
    manifest: Any = None
    owner_team_id: UUID | None = None  # Tessera requires it; nothing here depends on it
    environment: str = Field(default="production", max_length=64)
    compatibility_mode: str | None = Field(default=None, max_length=40)


class DbtDiffRequest(DbtImpactRequest):
    fail_on_breaking: bool = True


class UploadCreate(Model):
    """Accord's own route: an unknown field is a mistake, not another client's extra."""
    model_config = ConfigDict(defer_build=True, extra="forbid")

    content_type: str = Field(default="application/json", max_length=100)
    content_encoding: str | None = Field(default=None, max_length=20)


class DbtJobCreate(DbtUploadOptions):
    upload_id: str = Field(min_length=1, max_length=100)
    run_results_upload_id: str | None = Field(default=None, max_length=100)
