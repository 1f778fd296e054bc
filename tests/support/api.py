"""REST API clients."""

from rest_framework.test import APIClient


def client_for(token):
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return c
