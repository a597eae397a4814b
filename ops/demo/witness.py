"""The demo's province witness: created beside the demo log, served in a thread of `canbo demo`.

Its key is stored unencrypted in DATA_DIR/witness/keys/ (a demo). The log's ledger.json names
it as its witness, so every checkpoint the demo serves carries the province's cosignature.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import uvicorn

from api.witness_app import create_witness_app
from ledger.bootstrap import Ledger
from ledger.settings import Settings, SettingsError
from ledger.witness.bootstrap import init_witness_dir, open_witness, witness_verifier_key
from ledger.witness.config import CONFIG_FILE, OverseenLog, WitnessConfig
from ledger.witness.log_config import LogWitness

WITNESS_NAME = "witness.demo/vn-hn-province"
WITNESS_DIR = "witness"


def ensure_demo_witness(settings: Settings, ledger: Ledger, url: str) -> Settings:
    """Create the province witness if needed and make it the log's witness at url."""
    directory = settings.data_dir / WITNESS_DIR
    if not (directory / CONFIG_FILE).exists():
        init = init_witness_dir(directory, WITNESS_NAME, None, unencrypted_keys=True)
        init.config.with_log(OverseenLog(ledger.origin, ledger.verifier_key.format())).save()
    config = WitnessConfig.load(directory)
    vkey = witness_verifier_key(config).format()
    updated = dataclasses.replace(settings, witnesses=(LogWitness(url, vkey),))
    updated.save()  # the URL follows --witness-port from run to run; the key never changes
    return updated


def serve_demo_witness(settings: Settings, host: str, port: int) -> uvicorn.Server:
    """Serve the province witness on host:port in a daemon thread; return once it listens."""
    config = WitnessConfig.load(settings.data_dir / WITNESS_DIR)
    app = create_witness_app(lambda: open_witness(config))
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="demo-witness", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SettingsError(
                f"the demo witness could not listen on {host}:{port}; pick another --witness-port"
            )
        time.sleep(0.05)
    return server
