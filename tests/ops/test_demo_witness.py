"""`canbo demo` runs a province witness beside the log: its checkpoints carry the cosignature."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api.cli import main
from ops.procs import free_port

pytestmark = pytest.mark.slow


def test_the_demo_serves_checkpoints_cosigned_by_its_province_witness(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port, witness_port = free_port(), free_port()
    command = [
        sys.executable,
        "-m",
        "api.cli",
        "demo",
        "--data-dir",
        str(tmp_path / "demo"),
        "--port",
        str(port),
        "--witness-port",
        str(witness_port),
        # A small province keeps this test quick; `make demo` seeds the full one.
        "--communes",
        "2",
        "--officials-per-commune",
        "12",
        "--years",
        "2",
    ]
    log_file = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        witnesses: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            try:
                witnesses = httpx.get(f"{base}/v1/log/witnesses").json()["witnesses"]
                if witnesses and witnesses[0]["cosigned_size"]:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        [province] = witnesses
        assert province["name"] == "witness.demo/vn-hn-province"
        checkpoint = httpx.get(f"{base}/log/checkpoint").text
        assert "\n\u2014 witness.demo/vn-hn-province " in checkpoint
        vkey = str(province["vkey"])
        assert main(["verify", "--url", base, "--witness", vkey, "--workers", "0"]) == 0
        assert "cosigned by 1 of 1 trusted witnesses" in capsys.readouterr().out
    finally:
        os.kill(demo.pid, signal.SIGINT)
        try:
            demo.wait(timeout=20)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()
        log_file.close()
