from django.urls import path

from . import simulator

urlpatterns = [
    path("", simulator.phone, name="simulator"),
]
