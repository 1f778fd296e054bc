"""The API's pagination: DRF's limit/offset, with a largest page.

A `limit` above `MAX_LIMIT` reads as `MAX_LIMIT` (DRF's `max_limit`). Without it a 20-digit
`limit` reached PostgreSQL's LIMIT, a bigint, and answered 500. A large `offset` needs nothing:
past the last row DRF answers an empty page without asking the database."""

from rest_framework import pagination

MAX_LIMIT = 1000


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT
