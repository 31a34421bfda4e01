-- wrk script: every request POSTs one ~100-byte lead as JSON, like the scoring API's clients.
wrk.method = "POST"
wrk.path = "/score"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"lead_id":"L-000123","channel":"Paid Search","sessions":7,"engaged_sessions":4,"pages_per_session":3.2}'
