"""Settings pages (beside Settings → Compliance Center), one module per tab: General, Phone
numbers, Twilio, Members, API tokens (CRM webhooks: optout/views/crm_webhooks.py). Admins change
things, managers read, agents get 403; every lookup starts from the request's workspace.

Views parse input, call a service, and render; the services validate, save in one transaction
and write the audit log. A successful POST redirects; a secret that is shown once (a new API
token, an invitation link, a CRM signing secret) rides in the session to the next page view,
never in a cookie or a URL."""
