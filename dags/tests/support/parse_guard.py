"""Refuse I/O while DAG files are parsed: network, Variables and Connections.

The DAG processor parses every file every few minutes; a DAG that reaches the network
or the metadata at import slows every parse and breaks when that service is down.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest.mock import patch


class ParseTimeIOError(RuntimeError):
    pass


@contextmanager
def forbid_parse_time_io() -> Iterator[list[str]]:
    """Yield the list of refused attempts; each attempt also raises inside the DAG file."""
    attempts: list[str] = []

    def refuse(what: str):
        def refused(*args, **kwargs):
            attempts.append(f"{what} {args[:2]!r}")
            raise ParseTimeIOError(f"{what} while parsing DAG files: move it into a task")

        return refused

    import airflow.sdk.execution_time.context as task_context
    from airflow.models.variable import Variable as CoreVariable
    from airflow.sdk import BaseHook, Connection, Variable

    with ExitStack() as stack:
        stack.enter_context(patch.object(socket.socket, "connect", refuse("network connection")))
        stack.enter_context(patch.object(socket.socket, "connect_ex", refuse("network connection")))
        stack.enter_context(patch.object(socket, "getaddrinfo", refuse("DNS lookup")))
        stack.enter_context(patch.object(Variable, "get", refuse("Variable.get")))
        stack.enter_context(patch.object(CoreVariable, "get", refuse("Variable.get")))
        stack.enter_context(patch.object(task_context, "_get_variable", refuse("Variable lookup")))
        stack.enter_context(patch.object(task_context, "_get_connection", refuse("Connection lookup")))
        stack.enter_context(patch.object(BaseHook, "get_connection", refuse("Connection lookup")))
        stack.enter_context(patch.object(Connection, "get", refuse("Connection lookup")))
        yield attempts


def parse_bundle(bundle: Path):
    """Parse a bundle the way the DAG processor does (bundle root on sys.path), guarded."""
    from airflow.dag_processing.dagbag import BundleDagBag

    with forbid_parse_time_io() as attempts:
        dagbag = BundleDagBag(dag_folder=bundle, bundle_path=bundle)
    return dagbag, attempts
