"""The route class a domain's router uses so that a bad input is the user's to fix, not a
server error: ``APIRouter(route_class=InputRoute)``."""

from __future__ import annotations

from fastapi import HTTPException, Request, Response
from fastapi.routing import APIRoute


class InputRoute(APIRoute):
    """A route whose ValueError (a month, day, crime type or area the data does not have; the
    message says which and what to give) is a 400 page saying so, not a server error."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except ValueError as error:
                raise HTTPException(400, str(error)) from error

        return handle
