"""The fault suite: `make faults` (docs/reliability.md)."""
