// Prints the n8n credentials the workflows use, built from environment variables, as the
// JSON `n8n import:credentials` reads (run_n8n.sh imports it from a private temp file, then
// deletes it). The ids are the ones the workflow JSON files reference.
'use strict';
const env = (name) => process.env[name] ?? '';
const credentials = [
  { id: 'leadscoreHookKey', name: 'leadscore webhook token', type: 'httpHeaderAuth',
    data: { name: 'X-Leadscore-Token', value: env('LEADSCORE_WEBHOOK_TOKEN') } },
  { id: 'leadscoreApiKey1', name: 'leadscore API key', type: 'httpHeaderAuth',
    data: { name: 'X-API-Key', value: env('LEADSCORE_API_KEY') } },
  { id: 'leadscoreSlackBt', name: 'Slack bot token', type: 'slackApi',
    data: { accessToken: env('SLACK_BOT_TOKEN') } },
  { id: 'leadscoreHubSpot', name: 'HubSpot private app token', type: 'hubspotAppToken',
    data: { appToken: env('HUBSPOT_TOKEN') } },
];
process.stdout.write(JSON.stringify(credentials));
