from django.urls import path

from . import api

urlpatterns = [
    path("contacts", api.ContactList.as_view(), name="api-contacts"),
    path("messages", api.MessageList.as_view(), name="api-messages"),
    path("messages/<int:pk>", api.MessageDetail.as_view(), name="api-message"),
]
