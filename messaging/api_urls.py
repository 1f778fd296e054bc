from django.urls import path

from . import api

urlpatterns = [
    path("contacts", api.ContactList.as_view(), name="api-contacts"),
    path("messages", api.MessageList.as_view(), name="api-messages"),
    path("messages/<int:pk>", api.MessageDetail.as_view(), name="api-message"),
    path("dead-letters", api.DeadLetterList.as_view(), name="api-dead-letters"),
    path("revocation-reviews", api.RevocationReviewList.as_view(), name="api-revocation-reviews"),
    path(
        "revocation-reviews/<int:pk>/resolve",
        api.RevocationReviewResolve.as_view(),
        name="api-revocation-review-resolve",
    ),
    path(
        "dead-letters/<int:pk>/retry", api.DeadLetterRetry.as_view(), name="api-dead-letter-retry"
    ),
]

from . import api_broadcasts  # noqa: E402

urlpatterns += [
    path("broadcasts", api_broadcasts.BroadcastList.as_view(), name="api-broadcasts"),
    path(
        "broadcasts/preview",
        api_broadcasts.BroadcastPreview.as_view(),
        name="api-broadcast-preview",
    ),
    path("broadcasts/<int:pk>", api_broadcasts.BroadcastDetail.as_view(), name="api-broadcast"),
    path(
        "broadcasts/<int:pk>/pause",
        api_broadcasts.BroadcastPause.as_view(),
        name="api-broadcast-pause",
    ),
    path(
        "broadcasts/<int:pk>/resume",
        api_broadcasts.BroadcastResume.as_view(),
        name="api-broadcast-resume",
    ),
    path(
        "broadcasts/<int:pk>/cancel",
        api_broadcasts.BroadcastCancel.as_view(),
        name="api-broadcast-cancel",
    ),
    path(
        "broadcasts/<int:pk>/recipients",
        api_broadcasts.BroadcastRecipients.as_view(),
        name="api-broadcast-recipients",
    ),
]
