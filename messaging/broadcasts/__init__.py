"""Broadcasts: one text to an audience, through the same send policy as any message, paced per
sender number. `merge` (pure: merge fields), `models`, `audience` (set-based resolution of the
recipients), `services` (create, prepare, dispatch, pause/resume/cancel), `selectors`."""
