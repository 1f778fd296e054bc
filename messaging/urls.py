from django.urls import path

from . import dead_letters, reviews, views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/list/", views.conversation_list, name="inbox-list"),
    path("inbox/new/", views.new_conversation, name="inbox-new"),
    path("inbox/new/preview/", views.new_conversation_preview, name="inbox-new-preview"),
    path("inbox/c/<int:pk>/", views.thread, name="inbox-thread"),
    path("inbox/c/<int:pk>/live/", views.thread_live, name="inbox-thread-live"),
    path("inbox/c/<int:pk>/send/", views.send, name="inbox-send"),
    path("inbox/c/<int:pk>/preview/", views.preview, name="inbox-preview"),
    path("inbox/c/<int:pk>/opt-out/", views.opt_out, name="inbox-opt-out"),
    path("inbox/c/<int:pk>/review/<int:review_id>/", views.review, name="inbox-review"),
    path("compliance/reviews/", reviews.reviews, name="revocation-reviews"),
    path("compliance/reviews/<int:pk>/decide/", reviews.review_decide_view, name="review-decide"),
    # In the Compliance Center, but messaging's rows: the page lives here (optout is below us).
    path("compliance/dead-letters/", dead_letters.dead_letters, name="dead-letters"),
    path(
        "compliance/dead-letters/<int:pk>/retry/",
        dead_letters.dead_letter_retry_view,
        name="dead-letter-retry",
    ),
]
