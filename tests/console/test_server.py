"""The console's listening socket: its connections send each response without waiting (Nagle's algorithm
off), which asyncio does only for a socket made with IPPROTO_TCP named."""

from __future__ import annotations

import asyncio
import socket

from trainproof.console.server import bind


def test_connections_of_the_bound_socket_have_nagle_off() -> None:
    async def accepted_nodelay() -> int:
        found: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            conn: socket.socket = writer.get_extra_info("socket")
            found.set_result(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=bind("127.0.0.1", 0))
        port = server.sockets[0].getsockname()[1]
        async with server:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            value = await asyncio.wait_for(found, 10)
            writer.close()
        return value

    assert asyncio.run(accepted_nodelay()) == 1
    with socket.create_server(("127.0.0.1", 0)) as plain:  # what the console used before: protocol 0
        assert plain.proto == 0
