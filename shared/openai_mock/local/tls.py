"""`openai-mock serve --tls`: HTTPS and `wss://` on the local server, for the clients that only speak them (the Node
SDK opens every Realtime WebSocket as `wss://`, whatever its base URL's scheme; browsers on an `https://` page).

Without a certificate of the user's (`--tls-cert`, `--tls-key`), a self-signed one for `localhost`, `127.0.0.1` and
`::1` is made once and kept in the user's cache folder, so a client trusts it once (`NODE_EXTRA_CA_CERTS`,
`SSL_CERT_FILE`, httpx's `verify=`) and keeps trusting it across restarts until it nears its end (then a new one is
made)."""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path
from typing import NamedTuple

CERT_NAME, KEY_NAME = "localhost.pem", "localhost-key.pem"
VALID_DAYS = 825  # the longest validity clients accept for a server certificate
RENEW_DAYS = 30  # made again when it ends sooner than this
HOSTS = ("localhost",)
ADDRESSES = ("127.0.0.1", "::1")


class KeyPair(NamedTuple):
    cert: Path
    key: Path


def default_folder() -> Path:
    """Where the self-signed certificate is kept: `$XDG_CACHE_HOME/openai-mock/tls` (else `~/.cache/…`)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "openai-mock" / "tls"


def self_signed(folder: Path, now: datetime.datetime | None = None) -> KeyPair:
    """The kept certificate and key in `folder`, made (again) when missing or ending within `RENEW_DAYS`."""
    now = now or datetime.datetime.now(datetime.UTC)
    pair = KeyPair(folder / CERT_NAME, folder / KEY_NAME)
    if pair.cert.is_file() and pair.key.is_file() and _valid_until(pair.cert) > now + datetime.timedelta(RENEW_DAYS):
        return pair
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = _make(now)
    descriptor = os.open(pair.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # the key is the user's alone
    with os.fdopen(descriptor, "wb") as written:
        written.write(key)
    pair.cert.write_bytes(cert)
    return pair


def _valid_until(cert: Path) -> datetime.datetime:
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(cert.read_bytes()).not_valid_after_utc
    except ValueError:  # not a certificate: made again
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)


def _make(now: datetime.datetime) -> tuple[bytes, bytes]:
    """A P-256 key and a certificate for the loopback names, signed by that key (PEM, PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "openai-mock localhost")])
    names: list[x509.GeneralName] = [x509.DNSName(host) for host in HOSTS]
    names += [x509.IPAddress(ipaddress.ip_address(address)) for address in ADDRESSES]
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        # Its own authority (a client trusts it as a root), and a server's certificate.
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem
