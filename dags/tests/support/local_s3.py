"""A local S3 for the tests: moto's server on loopback, reached like AWS is.

Airflow's S3Hook talks to it through the ``aws_default`` connection's ``endpoint_url``;
Spark talks to it through s3a with the same jars as the image. Only the endpoint and
static test credentials differ from production (where the templates use Pod Identity).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3

REGION = "us-east-1"


@dataclass
class LocalS3:
    endpoint: str

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def aws_connection(self) -> str:
        """``AIRFLOW_CONN_AWS_DEFAULT``: the aws connection with the local endpoint."""
        return json.dumps(
            {
                "conn_type": "aws",
                "login": "testing",
                "password": "testing",
                "extra": {"endpoint_url": self.endpoint, "region_name": REGION},
            }
        )

    def s3a_conf(self) -> dict[str, str]:
        """Spark properties that point s3a at this server instead of AWS."""
        return {
            "spark.hadoop.fs.s3a.endpoint": self.endpoint,
            "spark.hadoop.fs.s3a.endpoint.region": REGION,
            "spark.hadoop.fs.s3a.path.style.access": "true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
            "spark.hadoop.fs.s3a.access.key": "testing",
            "spark.hadoop.fs.s3a.secret.key": "testing",
            "spark.hadoop.fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        }

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def read(self, bucket: str, key: str) -> str:
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read().decode()

    def put(self, bucket: str, key: str, body: bytes | str) -> None:
        self.client().put_object(Bucket=bucket, Key=key, Body=body)
