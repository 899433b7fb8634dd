"""The local web console `trainproof serve`: server-rendered pages (Jinja2, htmx) over the same use cases
the CLI calls, with each page's JSON twin; see `security.py` for who may reach it and how."""

from trainproof.console.app import create_app
from trainproof.console.server import serve

__all__ = ["create_app", "serve"]
