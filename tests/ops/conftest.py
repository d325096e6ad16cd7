"""The AWS API tests' moto server on 127.0.0.1 (one per module), reset to a fresh account for every test."""
import os
import socket
import subprocess
import sys
import time

import pytest

HOST = "127.0.0.1"
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def endpoint():
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    # no stock AMIs: moto loads thousands into every region it is asked about (the all-regions audit asks
    # ~30), and nothing here reads an image
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "moto did not start"
                time.sleep(0.2)
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def aws(endpoint, monkeypatch):
    """A fresh account on the moto server for every test, and boto3 clients for it."""
    import boto3
    import requests

    requests.post(f"{endpoint}/moto-api/reset")
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(key, value)

    def client(service, region=REGION):
        return boto3.client(service, endpoint_url=endpoint, region_name=region)
    return client
