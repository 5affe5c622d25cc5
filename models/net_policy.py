"""Which addresses the server may send requests to on a caller's word (webhooks, fetched
documents): one rule for both, each with its own setting of allowed networks.

Never link-local (169.254.0.0/16, fe80::/10, where cloud metadata services answer),
multicast or unspecified, IPv4 mapped into IPv6 included; beyond that, the networks the
setting lists, or by default any address (webhooks: the Odoo being served sits on the same
host or LAN) or public addresses only (fetched documents come back to the caller, so a
private address would leak the server's network).
"""
from __future__ import annotations

import ipaddress
import logging
import os

_logger = logging.getLogger(__name__)

NEVER_REACHED = [ipaddress.ip_network(n) for n in ("169.254.0.0/16", "fe80::/10")]


def networks_from_env(variable: str) -> list | None:
    """The comma-separated CIDRs of ``variable`` as networks; None when it is unset."""
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return None
    networks = []
    for part in raw.split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError:
                _logger.error("%s: %r is not a network; ignored", variable, part.strip())
    return networks


def address_problem(address: str, variable: str, public_only_by_default: bool) -> str | None:
    """Why the server may not send a request to this IP address, or None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_link_local or any(ip in n for n in NEVER_REACHED if n.version == ip.version):
        return f"{ip} is link-local (cloud metadata services answer there)"
    if ip.is_multicast or ip.is_unspecified:
        return f"{ip} is not a host"
    allowed = networks_from_env(variable)
    if allowed is None:
        if public_only_by_default and not ip.is_global:
            return f"{ip} is not a public address (see {variable})"
        return None
    if not any(ip.version == n.version and ip in n for n in allowed):
        return f"{ip} is outside {variable}"
    return None
