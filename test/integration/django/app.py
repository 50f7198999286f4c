"""A minimal Django REST framework + SimpleJWT project, configured as production apps are.

Refresh-token rotation with blacklisting after rotation, the token_blacklist app, SQLite, a `me`
view and a protected view. Test-only additions: a short access-token lifetime (SK_ACCESS_SECONDS),
and /test/stats/ counting the requests each path received, so tests read calls from the server.

    python3 app.py setup                      # migrate, create the user ann / ann-password
    python3 app.py runserver 127.0.0.1:PORT --noreload

Environment: SK_DB (the SQLite file, in a temp dir), SK_ACCESS_SECONDS (default 3).
"""
import os
import sys
import threading
from collections import Counter
from datetime import timedelta

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="session-keeper-integration-only-not-a-secret",
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "rest_framework",
        "rest_framework_simplejwt.token_blacklist",
    ],
    MIDDLEWARE=[
        __name__ + ".count_requests",
        "django.middleware.common.CommonMiddleware",  # APPEND_SLASH, as production apps have it
    ],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["SK_DB"],
            "OPTIONS": {"timeout": 20},
        }
    },
    USE_TZ=True,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    REST_FRAMEWORK={
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework_simplejwt.authentication.JWTAuthentication"
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    },
    SIMPLE_JWT={
        "ACCESS_TOKEN_LIFETIME": timedelta(seconds=float(os.environ.get("SK_ACCESS_SECONDS", "3"))),
        "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
        "ROTATE_REFRESH_TOKENS": True,
        "BLACKLIST_AFTER_ROTATION": True,
    },
    LOGGING_CONFIG=None,
)
django.setup()

from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.decorators import api_view, permission_classes  # noqa: E402
from rest_framework.permissions import AllowAny  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework_simplejwt.views import (  # noqa: E402
    TokenBlacklistView,
    TokenObtainPairView,
    TokenRefreshView,
)

calls = Counter()
statuses = Counter()
lock = threading.Lock()


def count_requests(get_response):
    def middleware(request):
        response = get_response(request)
        with lock:
            calls[request.path] += 1
            statuses[f"{request.path} {response.status_code}"] += 1
        return response

    return middleware


@api_view(["GET"])
def me(request):
    return Response({"id": request.user.id, "username": request.user.username})


@api_view(["GET"])
def protected(request):
    return Response({"ok": True, "user": request.user.username})


def stats(request):
    with lock:
        body = {"calls": dict(calls), "statuses": dict(statuses)}
        if request.method == "POST":
            calls.clear()
            statuses.clear()
    return JsonResponse(body)


urlpatterns = [
    path("api/token/", TokenObtainPairView.as_view()),
    path("api/token/refresh/", TokenRefreshView.as_view()),
    path("api/token/blacklist/", TokenBlacklistView.as_view()),
    path("api/me/", me),
    path("api/protected/", protected),
    path("test/stats/", stats),
]

if __name__ == "__main__":
    if sys.argv[1:] == ["setup"]:
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        get_user_model().objects.create_user("ann", password="ann-password")
    else:
        from django.core.management import execute_from_command_line
        from django.core.servers.basehttp import WSGIServer

        # runserver listens with a backlog of 10: a burst of 100 connections would have SYNs
        # dropped and retried a second or more later (longer than a token lives). Production
        # servers (gunicorn, uwsgi) listen with a backlog in the thousands.
        WSGIServer.request_queue_size = 1024

        execute_from_command_line(sys.argv)
