"""The seed's request model, apart from the app so that tests can validate with it too.

Plus leadscore's two optional recency fields (docs/serving.md), which the seed's requests
leave out; the app scores with the seed's five.

The seed declared plain pydantic fields, so pydantic's default (lax) mode applied: "5" and 5.0
are sessions, 1 and "true" are is_first_visit. `leadscore serve` does the same by default and
offers pydantic's strict mode with --strict-input (LEADSCORE_STRICT_INPUT); the same variable
makes the reference app's model strict.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_COUNT = 1_000_000  # leadscore's bound on counts (api/score_request.h kMaxCount)


def lead_model(*, strict: bool) -> type[BaseModel]:
    """The seed's request body, `Lead`; strict=True is pydantic's strict mode."""

    class Lead(BaseModel):
        model_config = ConfigDict(strict=strict)

        sessions: int = Field(ge=0, le=MAX_COUNT)
        engaged_sessions: int = Field(ge=0, le=MAX_COUNT)
        page_views: int = Field(ge=0, le=MAX_COUNT)
        channel: str = Field(max_length=64)
        is_first_visit: bool
        # leadscore's recency fields (spec/feature_spec.json "default": 0): optional, so the
        # seed's five-field bodies mean what they meant; validated like the counts when sent.
        days_since_last_session: int = Field(default=0, ge=0, le=MAX_COUNT)
        days_since_created: int = Field(default=0, ge=0, le=MAX_COUNT)

        @model_validator(mode="after")
        def _engaged_at_most_sessions(self) -> Lead:
            if self.engaged_sessions > self.sessions:
                raise ValueError("engaged_sessions must be less than or equal to sessions")
            return self

    return Lead


def strict_from_environment() -> bool:
    """LEADSCORE_STRICT_INPUT read as `leadscore serve` reads it (CLI11's true words)."""
    value = os.environ.get("LEADSCORE_STRICT_INPUT", "").strip().lower()
    return value in {"1", "true", "on", "yes", "t", "y"}
