"""Where log lines come from, each a stream of (origin, line): files (plain or gzip), a CloudWatch Logs
group (MSK's broker logs, our EC2 nodes' group) and CloudWatch exports in S3. Nothing is read whole."""
from __future__ import annotations

import datetime
import gzip
import io
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

from ...model.errors import UsageError

Line = tuple[str, str]


def files(paths: Sequence[Path]) -> Iterator[Line]:
    for path in paths:
        try:
            handle: Any = gzip.open(path, "rt", errors="replace") if path.suffix == ".gz" else \
                open(path, errors="replace")
        except OSError as error:
            raise UsageError(f"{path}: cannot be read ({error.strerror or error})") from None
        with handle:
            try:
                for number, line in enumerate(handle, 1):
                    yield f"{path}:{number}", line
            except (OSError, EOFError) as error:  # a truncated gzip, a directory
                raise UsageError(f"{path}: cannot be read ({error})") from None


def _ms(when: Optional[datetime.datetime]) -> Optional[int]:
    return None if when is None else int(when.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)


def _boto3(what: str) -> Any:
    try:
        import boto3
    except ImportError:
        raise UsageError(f"{what}: reading AWS needs boto3: pip install 'secure-kafka[audit]'") from None
    return boto3


def _aws_errors(what: str, call: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        return call()
    except NoCredentialsError:
        raise UsageError(f"{what}: no AWS credentials (set AWS_PROFILE or the AWS_* variables)") from None
    except ClientError as error:
        raise UsageError(f"{what}: {error.response.get('Error', {}).get('Message') or error}") from None
    except BotoCoreError as error:
        raise UsageError(f"{what}: {error}") from None


def cloudwatch(group: str, since: Optional[datetime.datetime], until: Optional[datetime.datetime], *,
               prefix: Optional[str] = None, region: Optional[str] = None,
               endpoint_url: Optional[str] = None) -> Iterator[Line]:
    """FilterLogEvents over the group, page by page; the event's own timestamp leads each line, as in an export."""
    boto3 = _boto3(f"CloudWatch Logs group {group}")

    client = _aws_errors(f"CloudWatch Logs group {group}", lambda: boto3.session.Session(region_name=region).client(
        "logs", endpoint_url=endpoint_url))  # a session of its own: credentials are looked up now, not cached
    args: dict[str, Any] = {"logGroupName": group}
    if prefix:
        args["logStreamNamePrefix"] = prefix
    if since is not None:
        args["startTime"] = _ms(since)
    if until is not None:
        args["endTime"] = _ms(until)
    while True:
        page = _aws_errors(f"CloudWatch Logs group {group}", lambda: client.filter_log_events(**args))
        for event in page.get("events", []):
            stamp = datetime.datetime.fromtimestamp(event["timestamp"] / 1000, datetime.timezone.utc)
            message = event.get("message", "")
            line = message if message.startswith("[") else f"{stamp.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z {message}"
            yield f"cloudwatch:{group}/{event.get('logStreamName', '')}", line
        token = page.get("nextToken")
        if not token:
            return
        args["nextToken"] = token


def s3(bucket: str, prefix: str = "", *, region: Optional[str] = None,
       endpoint_url: Optional[str] = None) -> Iterator[Line]:
    """Every object under the prefix (CloudWatch exports are gzip), streamed line by line."""
    boto3 = _boto3(f"s3://{bucket}/{prefix}")

    client = _aws_errors(f"s3://{bucket}/{prefix}", lambda: boto3.session.Session(region_name=region).client(
        "s3", endpoint_url=endpoint_url))
    paginator = client.get_paginator("list_objects_v2")
    pages = _aws_errors(f"s3://{bucket}/{prefix}", lambda: list(paginator.paginate(Bucket=bucket, Prefix=prefix)))
    for page in pages:
        for item in page.get("Contents", []):
            key = item["Key"]
            body = _aws_errors(f"s3://{bucket}/{key}", lambda k=key: client.get_object(Bucket=bucket, Key=k))["Body"]
            raw: Any = gzip.GzipFile(fileobj=body) if key.endswith(".gz") else body
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="replace")
            try:
                for number, line in enumerate(text, 1):
                    yield f"s3://{bucket}/{key}:{number}", line
            except (OSError, EOFError) as error:
                raise UsageError(f"s3://{bucket}/{key}: cannot be read ({error})") from None
