from django.urls import path

from . import api

urlpatterns = [
    path("phone-numbers", api.PhoneNumberList.as_view(), name="api-phone-numbers"),
]
