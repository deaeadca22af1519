#!/usr/bin/env python3
"""Writes the operation table the Kestra API test server (tests/support/kestra_api) checks
requests against, from a Kestra OpenAPI specification (kestra-io/client-sdk's kestra-ee.yml).

    git --git-dir=<client-sdk mirror> show <ref>:kestra-ee.yml > spec.yml
    tools/kestra-api/extract.py spec.yml <ref> > tests/support/kestra_api/operations-<line>.txt

One line per operation: METHOD, path template, the request body's content types (`-` for none),
whether it requires authentication. Only data from the specification is kept."""
import sys

import yaml

spec_path, ref = sys.argv[1], sys.argv[2]
spec = yaml.safe_load(open(spec_path))
print(f"# Kestra {spec['info']['version']} operations, from kestra-io/client-sdk {ref}:kestra-ee.yml")
print("# METHOD PATH REQUEST-CONTENT-TYPES AUTH")
for path, item in sorted(spec["paths"].items()):
    for method, op in sorted(item.items()):
        if method not in ("get", "post", "put", "delete", "patch"):
            continue
        body = op.get("requestBody", {}).get("content", {})
        types = ",".join(sorted(body)) or "-"
        auth = "auth" if op.get("security") else "open"
        print(f"{method.upper()} {path} {types} {auth}")
