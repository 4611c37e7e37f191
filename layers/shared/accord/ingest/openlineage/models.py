"""Request bodies of the lineage routes (the events themselves are validated against the
OpenLineage spec, not a model: accord.ingest.openlineage.validate)."""
from pydantic import Field

from accord.http.models import StrictModel


class LineageSettings(StrictModel):
    namespaces: dict[str, str] = Field(default_factory=dict, max_length=200,
                                       description="OpenLineage namespace (or a prefix ending in `*`) → environment")
    default_environment: str = Field(default="production", min_length=1, max_length=64)
