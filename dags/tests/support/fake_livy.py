"""A stand-in for the in-cluster Livy service, which cannot run on the test machine.

It speaks Livy's batch REST API (the subset LivyHook and LivyTrigger use) on loopback
and runs each batch with spark-submit on local Spark, so the real LivyOperator, hook
and trigger do real HTTP. Like Livy on Kubernetes, a batch's state follows the driver's
exit status only: 0 -> success, anything else -> dead.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from tests.support.spark_submit import spark_submit


@dataclass
class Batch:
    id: int
    request: dict
    state: str = "starting"
    log: list[str] = field(default_factory=list)
    app_id: str | None = None


class FakeLivy:
    def __init__(self, *, conf: Mapping[str, str], jars: Sequence[Path]):
        self.conf = dict(conf)  # what Livy's spark-defaults would hold in the cluster
        self.jars = list(jars)
        self.batches: list[Batch] = []
        # Hooks for the failure tests: run before spark-submit, or replace running it.
        self.before_run = None
        self.fake_outcome: str | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def connection(self) -> str:
        """``AIRFLOW_CONN_LIVY_DEFAULT`` pointing at this server."""
        return json.dumps({"conn_type": "livy", "host": "127.0.0.1", "port": self.port, "schema": "http"})

    def __enter__(self) -> FakeLivy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def submit(self, request: dict) -> Batch:
        with self._lock:
            batch = Batch(id=len(self.batches), request=request)
            self.batches.append(batch)
        threading.Thread(target=self._run, args=(batch,), daemon=True).start()
        return batch

    def _run(self, batch: Batch) -> None:
        batch.state = "running"
        batch.app_id = f"local-livy-batch-{batch.id}"
        if self.before_run is not None:
            self.before_run(batch)
        if self.fake_outcome is not None:
            batch.log = [f"stand-in: Spark not run, state {self.fake_outcome} reported"]
            batch.state = self.fake_outcome
            return
        conf = {**self.conf, **batch.request.get("conf", {})}
        done = spark_submit(batch.request["file"], [str(a) for a in batch.request.get("args", [])], conf, self.jars)
        batch.log = ["stdout: ", *done.stdout.splitlines(), "\nstderr: ", *done.stderr.splitlines()]
        batch.state = "success" if done.returncode == 0 else "dead"

    def _handler(self):
        livy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output quiet
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _batch(self) -> tuple[Batch | None, str]:
                match = re.fullmatch(r"/batches/(\d+)(/state|/log)?", urlparse(self.path).path)
                if not match or int(match.group(1)) >= len(livy.batches):
                    return None, ""
                return livy.batches[int(match.group(1))], match.group(2) or ""

            def do_POST(self) -> None:
                if urlparse(self.path).path != "/batches":
                    return self._reply(404, {"msg": "not found"})
                if not self.headers.get("X-Requested-By"):  # Livy with CSRF protection on
                    return self._reply(400, {"msg": "Missing Required Header for CSRF protection."})
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if "file" not in request:
                    return self._reply(400, {"msg": "Missing file"})
                batch = livy.submit(request)
                return self._reply(201, {"id": batch.id, "name": request.get("name"), "state": batch.state})

            def do_GET(self) -> None:
                batch, part = self._batch()
                if batch is None:
                    return self._reply(404, {"msg": "Session not found"})
                if part == "/state":
                    return self._reply(200, {"id": batch.id, "state": batch.state})
                if part == "/log":
                    query = parse_qs(urlparse(self.path).query)
                    start = int(query.get("from", ["0"])[0])
                    size = int(query.get("size", ["100"])[0])
                    lines = batch.log[start : start + size]
                    return self._reply(200, {"id": batch.id, "from": start, "total": len(batch.log), "log": lines})
                return self._reply(200, {"id": batch.id, "state": batch.state, "appId": batch.app_id, "log": []})

            def do_DELETE(self) -> None:
                batch, _ = self._batch()
                if batch is None:
                    return self._reply(404, {"msg": "Session not found"})
                batch.state = "killed"
                return self._reply(200, {"msg": "deleted"})

        return Handler
