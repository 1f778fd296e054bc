from django.conf import settings


def workspace(request):
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": getattr(request, "membership", None),
        "memberships": getattr(request, "memberships", []),
        "simulator_enabled": settings.SIMULATOR_ENABLED,
        "signup_enabled": settings.SIGNUP_ENABLED,
    }
