"""Tenancy in one place: every tenant-owned row has a `workspace`, and every query that serves a
request starts from the request's workspace here, not in each view.

- `WorkspaceQuerySet` (`Model.objects.for_workspace(ws)`) for services and selectors;
- `get_for_workspace_or_404` for pages: another workspace's id answers 404, never 403;
- `WorkspaceScopedMixin` for API views: `get_queryset` is filtered by the token's workspace
  before a view's own code runs; views refine it with `super().get_queryset()`.
"""

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class WorkspaceQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Any) -> "WorkspaceQuerySet":
        return self.filter(workspace=workspace)


def get_for_workspace_or_404(
    source: type[M] | models.QuerySet,
    workspace: Any,
    *,
    workspace_field: str = "workspace",
    **lookup: Any,
) -> M:
    """The workspace's object matching `lookup`, or 404 (also for another workspace's ids).
    `workspace_field` is the path to the workspace of a row that has none of its own (e.g.
    "endpoint__workspace" for a CRM delivery)."""
    queryset = source if isinstance(source, models.QuerySet) else source._default_manager.all()
    found = queryset.filter(**{workspace_field: workspace}, **lookup).first()
    if found is None:
        raise Http404("No such object in this workspace.")
    return found


class WorkspaceScopedMixin:
    """For DRF views: `self.workspace` is the API token's workspace, and `get_queryset()` starts
    from the view's `queryset` filtered by it."""

    queryset: models.QuerySet | None = None
    request: Any

    @property
    def workspace(self) -> Any:
        return self.request.workspace

    def get_queryset(self) -> models.QuerySet:
        if self.queryset is None:
            raise NotImplementedError(f"{type(self).__name__} must set `queryset`")
        return self.queryset.all().filter(workspace=self.workspace)
