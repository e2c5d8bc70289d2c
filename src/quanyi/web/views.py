from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from quanyi.web import queries


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"status": queries.instance_status()})


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})
