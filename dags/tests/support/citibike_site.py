"""A stand-in for Citibike's public trip-data site on loopback: HEAD and GET of archives."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CitibikeSite:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}  # path under /tripdata/ -> body
        self.errors: dict[str, int] = {}  # path under /tripdata/ -> error status to answer
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/tripdata"

    def __enter__(self) -> CitibikeSite:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self, with_body: bool) -> None:
                site.requests.append((self.command, self.path))
                name = self.path.removeprefix("/tripdata/")
                body = site.files.get(name)
                if body is None:
                    self.send_response(site.errors.get(name, 404))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def do_HEAD(self) -> None:
                self._answer(with_body=False)

            def do_GET(self) -> None:
                self._answer(with_body=True)

        return Handler
