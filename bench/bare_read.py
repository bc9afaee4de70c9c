"""The floor of a download: concatenate stored record objects into one JSONL file, nothing else.

``python -m bench.bare_read RECORDS_DIR OUT`` walks a local archive's ``records/`` directory;
``python -m bench.bare_read BUCKET/PREFIX OUT --s3`` lists and gets every object under the prefix
(credentials and endpoint from the ``AWS_*`` environment). No index, no filters, no verification,
no re-encoding: what ``newsarchive download`` is measured against.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path


def local_objects(root: Path) -> Iterator[bytes]:
    for directory, _dirs, files in os.walk(root):
        for name in sorted(files):
            if name.endswith(".json"):
                yield (Path(directory) / name).read_bytes()


def s3_objects(location: str) -> Iterator[bytes]:
    import boto3

    bucket, _, prefix = location.partition("/")
    client = boto3.client("s3")
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if item["Key"].endswith(".json"):
                yield client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()


def main(argv: list[str]) -> int:
    source, out = argv[0], Path(argv[1])
    objects = s3_objects(source) if "--s3" in argv else local_objects(Path(source))
    n = 0
    with out.open("wb") as stream:
        for data in objects:
            stream.write(data.rstrip(b"\n") + b"\n")
            n += 1
    print(json.dumps({"records": n}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
