"""The JSON API root (django-ninja). Each app adds its router here as it gains endpoints."""

from ninja import NinjaAPI

from quanyi import __version__

api = NinjaAPI(title="quanyi", version=__version__, urls_namespace="api")
