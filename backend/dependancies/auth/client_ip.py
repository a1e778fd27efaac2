"""The client's IP address: forwarded headers are believed only from a trusted proxy."""
from __future__ import annotations

import functools
import ipaddress
from typing import Annotated

from fastapi import Depends, Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=32)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def _is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def resolve_client_ip(peer: str | None, forwarded_for: str | None, trusted_proxies: list[str]) -> str:
    """The peer address, unless the peer is a trusted proxy: then the right-most X-Forwarded-For hop
    that is not itself a trusted proxy (hops left of it could have been written by the client)."""
    networks = _networks(tuple(trusted_proxies))
    peer_address = _parse(peer) if peer else None
    if peer_address is None:
        return peer or "unknown"
    if not forwarded_for or not _is_trusted(peer_address, networks):
        return str(peer_address)
    hops = [_parse(hop) for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        if hop is None:
            break  # a malformed hop: stop believing anything further left
        if not _is_trusted(hop, networks):
            return str(hop)
    return str(peer_address)


def client_ip(request: Request) -> str:
    return resolve_client_ip(request.client.host if request.client else None,
                             request.headers.get("x-forwarded-for"),
                             request.app.state.settings.trusted_proxies)


ClientIpDep = Annotated[str, Depends(client_ip)]
