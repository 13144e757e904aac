"""Where a webhook may be delivered (SSRF): only `http(s)` URLs, and which addresses depends on the deployment
(`OPENAI_MOCK_WEBHOOK_TARGETS`): a hosted mock ("public") never posts to a private, loopback, link-local,
multicast or reserved address, the instance metadata service included; the local server ("loopback", the
default) also posts to this machine, where a developer's handler runs; "any" allows every address.

The URL is checked when an endpoint is registered; the host is resolved again at every attempt, and the
request goes to the address that was checked (the name is kept for the Host header and TLS), so a DNS answer
that changes between the check and the connection (rebinding) cannot redirect it. Redirects are not followed."""

from __future__ import annotations

import ipaddress
import socket
from typing import NamedTuple
from urllib.parse import urlsplit

from openai_mock.errors import OpenAIError, invalid_request
from openai_mock.settings import get_settings

MAX_URL_LENGTH = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(Exception):
    """The target's address is not allowed by this deployment (or cannot be resolved)."""


class Target(NamedTuple):
    url: str  # the URL to connect to: the checked address in place of the host name
    host_header: str  # the URL's host[:port], as the Host header
    server_name: str  # the host name, for TLS (SNI and the certificate check)


def check_url(url: str, param: str = "url") -> str:
    """A URL an endpoint may be registered with, or OpenAI's 400 naming `param`."""
    parts = urlsplit(url)
    if len(url) > MAX_URL_LENGTH:
        raise invalid_request(f"Invalid '{param}': string too long (at most {MAX_URL_LENGTH} characters).", param)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid_request(
            f"Invalid '{param}': the webhook URL must be an absolute http:// or https:// URL.", param, "invalid_url"
        )
    if parts.username or parts.password:
        raise invalid_request(f"Invalid '{param}': the webhook URL must not carry credentials.", param, "invalid_url")
    try:
        parts.port  # noqa: B018 (a bad port raises)
    except ValueError:
        raise invalid_request(f"Invalid '{param}': the port is not a number.", param, "invalid_url") from None
    literal = _literal_address(parts.hostname)
    if literal is not None and not allowed(literal):
        raise _refused_error(param)
    return url


def _refused_error(param: str) -> OpenAIError:
    return invalid_request(
        f"Invalid '{param}': this deployment does not deliver webhooks to private, loopback or link-local "
        "addresses (OPENAI_MOCK_WEBHOOK_TARGETS, docs/webhooks.md).",
        param,
        "invalid_url",
    )


def _literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def allowed(address: IPAddress) -> bool:
    policy = get_settings().webhook_targets
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if policy == "any":
        return not address.is_unspecified
    if address.is_loopback:
        return policy == "loopback"
    return address.is_global and not address.is_multicast


def resolve(url: str) -> Target:
    """The address to deliver `url` to, checked against the deployment's policy; `TargetRefused` otherwise."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    literal = _literal_address(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise TargetRefused(f"could not resolve {host}: {error}") from None
        addresses = [ipaddress.ip_address(str(entry[4][0]).split("%")[0]) for entry in found]
    refused = [address for address in addresses if not allowed(address)]
    if not addresses or refused:
        shown_refused = refused[0] if refused else "nothing"
        raise TargetRefused(f"{host} resolves to {shown_refused}, which this deployment does not deliver to")
    address = addresses[0]
    shown = f"[{address}]" if isinstance(address, ipaddress.IPv6Address) else str(address)
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    return Target(parts._replace(netloc=netloc).geturl(), parts.netloc, host)
