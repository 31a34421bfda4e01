"""What the daily rescore tells the team's tools (scripts/writeback, docs/automation.md):
HubSpot contact properties of the leads whose values changed since the last acknowledged write
(through `leadscore push hubspot`: an outbox, a journal of acknowledged batches), Slack messages
for leads that newly reached grade A and a digest of the day's top movers. State lives in the
warehouse (main.hubspot_written, main.slack_grade_a_alerts, main.slack_digests) and in the
write-back folder (the outbox and its journal)."""
