#!/usr/bin/env python3
"""Writes lint-rules/data/python-dist-requires.txt: for Python distributions that flows declare
(or that kflow maps imports to), the distributions their latest release requires at run time
(`Requires-Dist` without extras), read from PyPI's JSON API and followed transitively.

`script-undeclared-dependency` uses it so that a module installed by a declared package
(boto3 through awswrangler, requests through dlt or kestra) is not reported.

Usage: python3 tools/python-deps/generate.py   (needs network access to pypi.org)
"""
import concurrent.futures
import datetime
import json
import re
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT_DISTS = ROOT / "lint-rules/data/python-import-dists.txt"
OUT = ROOT / "lint-rules/data/python-dist-requires.txt"
MAX_PACKAGES = 2500

# Distributions flows commonly declare in `dependencies` or pip install in `beforeCommands`.
SEEDS = """
awswrangler boto3 botocore s3fs gcsfs adlfs fsspec dlt kestra pandas polars pyarrow numpy scipy
requests httpx aiohttp urllib3 sqlalchemy psycopg2-binary psycopg pymysql duckdb
snowflake-connector-python snowflake-sqlalchemy google-cloud-bigquery google-cloud-storage
google-cloud-pubsub google-api-python-client gspread pandas-gbq db-dtypes dbt-core dbt-postgres
dbt-duckdb dbt-snowflake dbt-bigquery great-expectations openai anthropic langchain
langchain-openai langchain-community transformers torch scikit-learn matplotlib seaborn plotly
beautifulsoup4 lxml openpyxl xlrd pyyaml python-dotenv pydantic fastapi flask jinja2 click
typer rich tqdm tenacity azure-storage-blob azure-identity kafka-python confluent-kafka redis
pymongo elasticsearch opensearch-py paramiko fabric slack-sdk tweepy praw simple-salesforce
hubspot-api-client jira pygithub python-gitlab notion-client stripe shopifyapi
pyspark delta-spark deltalake modin dask prefect apache-airflow meltano singer-sdk
airbyte sodapy clickhouse-connect pyodbc oracledb cx-oracle mysql-connector-python
""".split()


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(req):
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return normalize(m.group(1)) if m else None


def runtime_requirements(req_list):
    out = set()
    for req in req_list or []:
        marker = req.split(";", 1)[1] if ";" in req else ""
        if "extra" in marker:
            continue
        name = requirement_name(req)
        if name:
            out.add(name)
    return sorted(out)


def fetch(name):
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=30) as r:
            info = json.load(r)["info"]
        return name, info.get("version", ""), runtime_requirements(info.get("requires_dist"))
    except Exception as e:  # unknown on PyPI, network trouble: left out
        print(f"skip {name}: {e}", file=sys.stderr)
        return name, None, None


def main():
    seeds = set(normalize(s) for s in SEEDS)
    for line in IMPORT_DISTS.read_text().splitlines():
        line = line.split("#", 1)[0].split()
        seeds.update(normalize(d) for d in line[1:])
    graph, versions, queue, seen = {}, {}, sorted(seeds), set(seeds)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        while queue and len(graph) < MAX_PACKAGES:
            batch, queue = queue[:64], queue[64:]
            for name, version, reqs in pool.map(fetch, batch):
                if reqs is None:
                    continue
                graph[name], versions[name] = reqs, version
                for r in reqs:
                    if r not in seen:
                        seen.add(r)
                        queue.append(r)
    today = datetime.date.today().isoformat()
    lines = [
        "# Python distribution -> the distributions it requires at run time (Requires-Dist without",
        f"# extras) in its latest release on PyPI, read on {today} by tools/python-deps/generate.py.",
        "# Format: `dist version: required dists` (names normalised as pip does). '#' starts a comment.",
    ]
    for name in sorted(graph):
        lines.append(f"{name} {versions[name]}: {' '.join(graph[name])}".rstrip())
    OUT.write_text("\n".join(lines) + "\n")
    print(f"{len(graph)} distributions", file=sys.stderr)


if __name__ == "__main__":
    main()
