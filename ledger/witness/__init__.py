"""Witnessing: a log's checkpoints cosigned by the level above (C2SP tlog-witness, cosignature/v1).

The witness side (protocol.py, witness.py, store.py, config.py) keeps the latest checkpoint it
cosigned per log, checks each new one is consistent with it, and keeps the evidence when it is
not. The log side (log_config.py, client.py, submitter.py, published.py) sends every new
checkpoint to the log's witnesses and publishes it with their cosignatures. The verifier side
(policy.py, fork.py) holds a checkpoint to k of n cosignatures and detects forks.
"""
