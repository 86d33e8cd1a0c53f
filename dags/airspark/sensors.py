"""Sensors of the bundle.

A small BaseSensorOperator subclass rather than ``@task.sensor``: the standard provider's
Python sensor module (1.21.0) imports an Airflow 3.3 deprecated helper, and that warning
would show as a parse warning on every DAG using it.
"""

from __future__ import annotations

from collections.abc import Sequence

from airflow.sdk import BaseSensorOperator, PokeReturnValue


class UrlPublishedSensor(BaseSensorOperator):
    """Wait until the first of ``urls`` answers 200 to a HEAD request; push that URL.

    404 and 403 (S3's answer for a missing key when listing is denied) mean "not yet";
    any other error status fails the poke.
    """

    template_fields: Sequence[str] = ("urls",)

    def __init__(self, *, urls, request_timeout: float = 30, **kwargs) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.request_timeout = request_timeout

    def poke(self, context) -> PokeReturnValue:
        import requests

        for url in self.urls:
            response = requests.head(url, timeout=self.request_timeout, allow_redirects=True)
            if response.status_code == 200:
                self.log.info("published: %s", url)
                return PokeReturnValue(is_done=True, xcom_value=url)
            if response.status_code not in (403, 404):
                response.raise_for_status()
        self.log.info("not published yet: %s", ", ".join(self.urls))
        return PokeReturnValue(is_done=False)
