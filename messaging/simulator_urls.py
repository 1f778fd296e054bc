from django.urls import path

from . import simulator

urlpatterns = [
    path("", simulator.phone, name="simulator"),
    path("send/", simulator.send, name="simulator-send"),
    path("screen/", simulator.screen, name="simulator-screen"),
]
