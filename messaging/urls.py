from django.urls import path

from . import dead_letters, reviews, views, views_campaigns

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
    # Contacts at scale, imports, broadcasts (messaging/views_campaigns.py).
    path("contacts/", views_campaigns.contacts, name="contacts"),
    path("contacts/import/", views_campaigns.import_upload, name="import-upload"),
    path("contacts/import/<int:pk>/", views_campaigns.import_detail, name="import-detail"),
    path("contacts/import/<int:pk>/live/", views_campaigns.import_live, name="import-live"),
    path(
        "contacts/import/<int:pk>/errors.csv",
        views_campaigns.import_errors_csv,
        name="import-errors-csv",
    ),
    path("broadcasts/", views_campaigns.broadcast_list, name="broadcasts"),
    path("broadcasts/new/", views_campaigns.broadcast_new, name="broadcast-new"),
    path("broadcasts/new/preview/", views_campaigns.broadcast_preview, name="broadcast-preview"),
    path("broadcasts/<int:pk>/", views_campaigns.broadcast_detail, name="broadcast-detail"),
    path("broadcasts/<int:pk>/live/", views_campaigns.broadcast_live, name="broadcast-live"),
    path(
        "broadcasts/<int:pk>/report.csv",
        views_campaigns.broadcast_report_csv,
        name="broadcast-report-csv",
    ),
]
