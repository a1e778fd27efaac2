"""Client IP resolution: X-Forwarded-For only from trusted proxies, right-most untrusted hop wins."""
from __future__ import annotations

import pytest

from backend.dependancies.auth.client_ip import resolve_client_ip

TRUSTED = ["127.0.0.1", "10.0.0.0/8", "::1"]


@pytest.mark.parametrize("peer, forwarded, expected", [
    ("203.0.113.5", None, "203.0.113.5"),
    ("203.0.113.5", "1.1.1.1", "203.0.113.5"),                     # untrusted peer: header ignored
    ("10.0.0.2", "198.51.100.4", "198.51.100.4"),                  # trusted proxy
    ("10.0.0.2", "6.6.6.6, 198.51.100.4", "198.51.100.4"),         # client-written left part ignored
    ("10.0.0.2", "198.51.100.4, 10.0.0.9", "198.51.100.4"),        # chain of trusted proxies
    ("10.0.0.2", "garbage, 10.0.0.9", "10.0.0.2"),                 # malformed: fall back to the peer
    ("10.0.0.2", "10.0.0.7", "10.0.0.2"),                          # only proxies: the peer
    ("::1", "2001:db8::1", "2001:db8::1"),
    ("127.0.0.1", "", "127.0.0.1"),
    (None, "1.2.3.4", "unknown"),
])
def test_resolve_client_ip(peer, forwarded, expected):
    assert resolve_client_ip(peer, forwarded, TRUSTED) == expected


def test_nothing_trusted_means_the_peer():
    assert resolve_client_ip("127.0.0.1", "1.2.3.4", []) == "127.0.0.1"
