"""A TLS server session inside an established echo connection: a client's own TLS that a gateway
passes through, wrapped in the mesh's mTLS as the destination's sidecar receives it.

asyncio's ``start_tls`` cannot serve it: bytes that arrived with the end of the outer handshake
are already in the stream's buffer and never reach the new TLS layer (seen with Envoy as upstream
client: its first bytes came in the same read whenever the outer session was resumed), so the
inner handshake waited for them forever. Here the inner session runs on memory BIOs fed from the
stream, so nothing read is lost.
"""

from __future__ import annotations

import asyncio
import ssl

READ_SIZE = 65536
HEAD_END = b"\r\n\r\n"


class InnerTls:
    """Server side of a TLS session carried as data over ``reader`` / ``writer``."""

    def __init__(self, context: ssl.SSLContext, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.session = context.wrap_bio(self.incoming, self.outgoing, server_side=True)

    async def _flush(self) -> None:
        data = self.outgoing.read()
        if data:
            self.writer.write(data)
            await self.writer.drain()

    async def _feed(self) -> None:
        # Whatever the stream buffered (the outer handshake's tail included) comes out here.
        chunk = await self.reader.read(READ_SIZE)
        if not chunk:
            raise ConnectionError("closed inside the inner TLS session")
        self.incoming.write(chunk)

    async def handshake(self) -> None:
        while True:
            try:
                self.session.do_handshake()
                await self._flush()
                return
            except ssl.SSLWantReadError:
                await self._flush()
                await self._feed()

    async def read_head(self, limit: int) -> bytes:
        """Decrypted bytes up to a blank line (excluded)."""
        data = b""
        while HEAD_END not in data:
            if len(data) > limit:
                raise ConnectionError("head over the limit")
            try:
                data += self.session.read(READ_SIZE)
            except ssl.SSLWantReadError:
                await self._flush()
                await self._feed()
        return data.split(HEAD_END, 1)[0]

    async def write(self, data: bytes) -> None:
        self.session.write(data)
        await self._flush()

    def peer(self) -> dict:
        """The inner session as _peer reports TLS: the client's certificate URI (none is sent here)."""
        cert = self.session.getpeercert() or {}
        uris = [value for kind, value in cert.get("subjectAltName", ()) if kind == "URI"]
        return {"peer": uris[0] if uris else None, "inner": True}
