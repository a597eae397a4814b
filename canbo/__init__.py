"""The canbo SDK: build, sign and submit statements, log in, and read, from an official's machine.

    from canbo import LedgerClient
    client = LedgerClient("https://ledger.example.gov.vn", signer=my_key)
    receipt = client.submit("notice.publish", {...})
    keys = client.get("/v1/inspection/keys", session=True)

The private key never leaves the caller: statements and login challenges are signed here.
"""

from canbo.client import LedgerClient
from canbo.errors import ApiError

__all__ = ["ApiError", "LedgerClient"]
