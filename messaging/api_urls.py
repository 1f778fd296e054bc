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
