"""The REST API (FastAPI, ``/api/v1``): thin routes over the services, holder-scoped, audited."""

from bordermark.api.app import API_PREFIX, create_app

__all__ = ["API_PREFIX", "create_app"]
