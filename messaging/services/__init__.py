"""Writes on messaging, one module per flow:

- `conversations` — threads between a workspace number and a contact;
- `outbound` — the one way to send (`message_send`);
- `inbound` — carrier webhooks stored and processed (`inbound_receive`, `inbound_process`);
- `delivery` — handing queued texts to the SMS backend and applying status callbacks;
- `sweep` — finding rows whose task was lost.
"""
