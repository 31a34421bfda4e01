"""The scoring API as the Streamlit app uses it: GET /model and POST /score?explain=true."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

Json = dict[str, Any]
TIMEOUT_SECONDS = 5.0


class ApiError(Exception):
    """The API could not be reached or refused the request; the message says why."""


@dataclass(frozen=True)
class ScoringApi:
    url: str
    api_key: str | None

    def _headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key} if self.api_key else {}

    def model(self) -> Json:
        try:
            response = requests.get(f"{self.url}/model", timeout=TIMEOUT_SECONDS)
        except requests.RequestException as error:
            raise ApiError(
                f"cannot reach {self.url} ({error}); start it with scripts/run"
            ) from error
        if response.status_code != 200:
            raise ApiError(f"GET {self.url}/model answered {response.status_code}: {response.text}")
        result: Json = response.json()
        return result

    def score(self, lead: Json) -> Json:
        """The score with its reasons; ApiError with every 422 problem by field."""
        try:
            response = requests.post(
                f"{self.url}/score",
                params={"explain": "true"},
                json=lead,
                headers=self._headers(),
                timeout=TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            raise ApiError(
                f"cannot reach {self.url} ({error}); start it with scripts/run"
            ) from error
        if response.status_code == 422:
            problems = [
                f"{'.'.join(str(part) for part in item['loc'][1:]) or 'lead'}: {item['msg']}"
                for item in response.json()["detail"]
            ]
            raise ApiError("the API rejected the lead: " + "; ".join(problems))
        if response.status_code != 200:
            raise ApiError(
                f"POST {self.url}/score answered {response.status_code}: {response.text}"
            )
        result: Json = response.json()
        return result
