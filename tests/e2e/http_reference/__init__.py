"""Node's HTTP server as the reference for leadscore's HTTP framing (test_http_framing.py):
the corpus of requests, the raw-socket client, and the running reference."""

# Cases where leadscore refused what Node read, with the case's reason, in the order the
# framing test met them; conftest.py lists them after the run.
STRICTER_SEEN: list[tuple[str, str]] = []
