"""``peel serve``: run the web app."""

from __future__ import annotations

import typer

from peel.console import Console, error_line  # reads no markup; escapes control characters


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: str = typer.Option("127.0.0.1", help="The address to listen on; 0.0.0.0 for every interface."),
    port: int = typer.Option(8000, help="The port to listen on."),
) -> None:
    """Serve the web app (sign-in, each role's start page) until Ctrl-C. Put it behind an https
    proxy to serve other computers: sessions need https, except on 127.0.0.1."""
    # Loaded here, not at the top: `peel --help` and every other command start without them.
    import uvicorn

    from peel.casebook.identity_providers import IdentityProvidersError
    from peel.web.app import create_app

    try:
        app = create_app()
    except IdentityProvidersError as error:
        Console(stderr=True).print(error_line(error, "Error: ", "bold red"))
        raise typer.Exit(2) from None
    shown = f"[{host}]" if ":" in host else host
    Console().print(f"peel is serving on http://{shown}:{port}/ (Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
