"""Request bodies of the webhook routes."""
from typing import Literal

from pydantic import Field

from accord.http.models import StrictModel

Format = Literal["standard", "slack"]


class WebhookCreate(StrictModel):
    url: str = Field(min_length=1, max_length=2048, examples=["https://hooks.example.com/accord"])
    event_types: list[str] | None = Field(default=None, max_length=50,
                                          description="types to receive (`accord.proposal.*` matches a family); "
                                                      "default: all")
    team_id: str | None = Field(default=None, max_length=64,
                                description="only events that concern this team (a team key: its own team)")
    format: Format = "standard"
    enabled: bool = True
    description: str | None = Field(default=None, max_length=500)


class WebhookUpdate(StrictModel):
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    event_types: list[str] | None = Field(default=None, max_length=50)
    team_id: str | None = Field(default=None, max_length=64)
    format: Format | None = None
    enabled: bool | None = None
    description: str | None = Field(default=None, max_length=500)


class RotateSecret(StrictModel):
    grace_seconds: int = Field(default=0, ge=0, le=7 * 86400,
                               description="how long deliveries also carry a signature made with the old secret")
