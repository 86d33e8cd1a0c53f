"""Helpers the tests share: sample data, local stand-ins and the jars for s3a."""
