"""A lean Socket.IO v5 client over one raw WebSocket (Engine.IO v4), for load generation.

A full python-socketio client per connection costs threads and bookkeeping that would make the load
generator, not the server, the bottleneck. This speaks just the subset the benchmark needs: connect
to a namespace with an auth payload, emit with acknowledgement, receive events, answer pings.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable

import websockets


class SocketIOError(Exception):
    pass


class LeanClient:
    def __init__(self, base_url: str, namespace: str = "/live", auth: dict | None = None,
                 headers: dict[str, str] | None = None):
        ws_base = base_url.replace("http://", "ws://").replace("https://", "wss://").rstrip("/")
        self.url = f"{ws_base}/socket.io/?EIO=4&transport=websocket"
        self.namespace = namespace
        self.auth = auth
        self.headers = headers or {}
        self.ws: Any = None
        self._ack_id = 0
        self._acks: dict[int, asyncio.Future] = {}
        self._handlers: dict[str, Callable[[Any], None]] = {}
        self._connected: asyncio.Future | None = None
        self._reader: asyncio.Task | None = None
        self.closed = False

    def on(self, event: str, handler: Callable[[Any], None]) -> None:
        self._handlers[event] = handler

    async def connect(self, timeout: float = 30.0) -> None:
        self.ws = await websockets.connect(
            self.url, additional_headers=self.headers, max_size=2**22, open_timeout=timeout,
            ping_interval=None, compression=None,
        )
        opening = await asyncio.wait_for(self.ws.recv(), timeout)
        if not str(opening).startswith("0"):
            raise SocketIOError(f"unexpected opening packet {opening!r}")
        self._connected = asyncio.get_running_loop().create_future()
        self._reader = asyncio.create_task(self._read())
        auth = json.dumps(self.auth) if self.auth is not None else ""
        await self.ws.send(f"40{self.namespace},{auth}")
        await asyncio.wait_for(self._connected, timeout)

    async def emit(self, event: str, data: Any, timeout: float = 60.0) -> Any:
        """Emit with an ack and wait for it; returns the ack's first argument."""
        self._ack_id += 1
        ack_id = self._ack_id
        future = asyncio.get_running_loop().create_future()
        self._acks[ack_id] = future
        await self.ws.send(f"42{self.namespace},{ack_id}" + json.dumps([event, data], separators=(",", ":")))
        return await asyncio.wait_for(future, timeout)

    async def close(self) -> None:
        self.closed = True
        if self.ws is not None:
            try:
                await self.ws.close()
            except Exception:
                pass
        if self._reader is not None:
            self._reader.cancel()

    async def _read(self) -> None:
        prefix = f"4{{}}{self.namespace},"
        try:
            async for message in self.ws:
                self._dispatch(str(message), prefix)
        except (websockets.ConnectionClosed, asyncio.CancelledError):
            pass
        finally:
            for future in self._acks.values():
                if not future.done():
                    future.set_exception(SocketIOError("connection closed"))
            if self._connected is not None and not self._connected.done():
                self._connected.set_exception(SocketIOError("connection closed before namespace connect"))

    def _dispatch(self, message: str, prefix: str) -> None:
        if message == "2":  # Engine.IO ping from the server
            asyncio.ensure_future(self.ws.send("3"))
            return
        if not message.startswith("4"):
            return
        kind = message[1]
        body = message[2:]
        if body.startswith(self.namespace):
            body = body[len(self.namespace):]
            if body.startswith(","):
                body = body[1:]
        if kind == "0":  # namespace connected
            if self._connected and not self._connected.done():
                self._connected.set_result(json.loads(body) if body else {})
        elif kind == "4":  # connect error
            if self._connected and not self._connected.done():
                self._connected.set_exception(SocketIOError(f"refused: {body}"))
        elif kind == "2":  # event
            payload = json.loads(body[body.index("["):])
            handler = self._handlers.get(payload[0])
            if handler is not None:
                handler(payload[1] if len(payload) > 1 else None)
        elif kind == "3":  # ack
            bracket = body.index("[")
            ack_id = int(body[:bracket])
            future = self._acks.pop(ack_id, None)
            if future is not None and not future.done():
                args = json.loads(body[bracket:])
                future.set_result(args[0] if args else None)
        elif kind == "1":  # disconnected by the server
            self.closed = True


def now() -> float:
    return time.perf_counter()
