"""The HTTP API (FastAPI). OpenAPI is served at ``/docs``."""
