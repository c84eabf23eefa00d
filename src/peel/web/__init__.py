"""The web app: server-rendered pages in the GOV.UK Design System, for a force's staff.

``app.create_app()`` puts it together: sign-in and sessions (``auth``), form tokens and
secure headers (``security``), each role's start page (``start``), and the pages each domain
contributes, listed once in ``domains``. ``peel serve`` (``cli``) runs it. docs/web.md says
how to add a domain's pages.

Nothing here is imported by ``peel --help``: FastAPI and uvicorn load with ``peel serve``.
"""
