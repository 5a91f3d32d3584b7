"""uvicorn's h11 protocol with TCP_NODELAY set on every connection.

With --workers, uvicorn binds the listening socket itself with protocol number 0, and asyncio
sets TCP_NODELAY only on sockets whose protocol is IPPROTO_TCP. Each response (headers and
body are written separately) then waited for the client's delayed ACK: about 40 ms per request
on loopback with two workers, against 0.3 ms with one (measured with keep-alive connections).
Imported only by `serve`, since it needs uvicorn.
"""

from __future__ import annotations

import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
