"""Helpers the DAGs of this bundle share. No I/O at import: the DAG processor imports them.

The bundle root is on ``sys.path`` when Airflow parses or runs a DAG (BundleDagBag), so
DAG files import this package as ``airspark``. ``.airflowignore`` keeps the DAG
processor from scanning it for DAGs.
"""
