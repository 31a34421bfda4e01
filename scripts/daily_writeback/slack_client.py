"""Slack's Web API `chat.postMessage`, the way the lead workflow calls it: bearer bot token,
JSON body {"channel", "text", "unfurl_links": false}; only `"ok": true` counts as sent (Slack
answers most errors with HTTP 200 and `"ok": false`). 429 waits Retry-After seconds (at most 5 times in a row); 5xx and
no answer are retried with a doubling backoff; every error names the call, the status and
Slack's own error code."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

from daily_writeback.errors import WritebackError

log = logging.getLogger("writeback")

MAX_RATE_LIMITED = 5
DEFAULT_RETRY_AFTER = 5.0  # seconds, when a 429 carries no readable Retry-After
MAX_RETRY_AFTER = 3600.0

HELP = {
    "invalid_auth": "check SLACK_BOT_TOKEN: a bot token (xoxb-...) with the scope chat:write",
    "not_authed": "set SLACK_BOT_TOKEN: a bot token (xoxb-...) with the scope chat:write",
    "channel_not_found": "check SLACK_CHANNEL, and invite the bot to it (/invite @yourbot)",
    "not_in_channel": "invite the bot to the channel (/invite @yourbot)",
}


@dataclass
class SlackClient:
    url: str  # https://slack.com/api
    token: str
    attempts: int = 5
    backoff: float = 1.0  # seconds before the first retry, doubled after each
    sleep: Callable[[float], None] = time.sleep
    requests_sent: int = field(default=0)

    def post_message(self, channel: str, text: str) -> str:
        """Posts `text`; returns the message's ts. Raises WritebackError when not sent."""
        call = f"Slack chat.postMessage to {channel}"
        throttled = failures = 0
        backoff = self.backoff
        while True:
            self.requests_sent += 1
            try:
                answer = requests.post(
                    f"{self.url.rstrip('/')}/chat.postMessage",
                    json={"channel": channel, "text": text, "unfurl_links": False},
                    headers={"Authorization": f"Bearer {self.token}"},
                    timeout=30,
                )
            except requests.RequestException as error:
                problem = f"no answer ({error})"
            else:
                if answer.status_code == 429:
                    throttled += 1
                    if throttled > MAX_RATE_LIMITED:
                        raise WritebackError(
                            f"{call}: HTTP 429 (rate limited) {throttled} times in a row; "
                            "try again later"
                        )
                    self.sleep(retry_after(answer.headers.get("Retry-After")))
                    continue
                if answer.status_code < 500:
                    return self.checked(call, answer)
                problem = f"HTTP {answer.status_code}: {answer.text[:200]}"
            failures += 1
            if failures >= self.attempts:
                raise WritebackError(f"{call}: {problem} (gave up after {failures} attempts)")
            log.warning("%s: %s; retrying in %.1f s", call, problem, backoff)
            self.sleep(backoff)
            backoff *= 2

    @staticmethod
    def checked(call: str, answer: requests.Response) -> str:
        try:
            body = answer.json()
        except ValueError:
            body = None
        if answer.status_code == 200 and isinstance(body, dict) and body.get("ok") is True:
            return str(body.get("ts", ""))
        error = body.get("error") if isinstance(body, dict) else None
        hint = HELP.get(str(error), "see https://api.slack.com/methods/chat.postMessage")
        raise WritebackError(
            f"{call}: HTTP {answer.status_code}, error {error or answer.text[:200]!r}; {hint}"
        )


def retry_after(header: str | None) -> float:
    try:
        seconds = float(header) if header is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        seconds = DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)
