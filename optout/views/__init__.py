"""Compliance Center pages (Settings → Compliance Center), one module per tab: Overview, Opt-out,
Keywords, Block list (with a contact's consent history), Audit log. Admins and managers only; every
lookup starts from the request's workspace.

Views parse input, call a selector or a service, and render. Changes go through services, which
save in one transaction and write the audit log; a successful POST redirects (no double submit).
"""
