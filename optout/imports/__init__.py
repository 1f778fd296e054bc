"""Imports of CSV files: contacts (with tags, custom fields and consent evidence) and block-list
entries. `csvfile` reads a file (pure: encodings, delimiters, mapping, each row's checks),
`models`, `services` (store the upload, process it in chunks, resumable), `bulk` the set-based
writes of consent and opt-outs."""
