"""A throwaway PKI for the signing tests (a CA, a signer, a timestamp authority) and an RFC 3161 server on loopback."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps import DummyTimeStamper

PASSPHRASE = "p12-passphrase-Zq81"
KeyAndCert = tuple[ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey, x509.Certificate]


@dataclass(frozen=True)
class Pki:
    """The CA (what a validator trusts), the signer's PKCS#12 file, PEM key and chain, and the TSA's key and cert."""

    ca: x509.Certificate
    pkcs12: Path
    key_pem: Path
    chain_pem: Path
    tsa: KeyAndCert

    def ca_asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.ca.public_bytes(serialization.Encoding.DER))


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _usage(signs_certificates: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=not signs_certificates,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def make_pki(folder: Path) -> Pki:
    """A CA and, issued by it, a document signer and a timestamp authority; the signer's files under `folder`."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Finishing Test CA"))
        .issuer_name(_name("Finishing Test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )

    def issue(common_name: str, purpose: x509.ObjectIdentifier | None = None) -> KeyAndCert:
        # pyHanko's test timestamper signs with RSA only; the document signer uses EC.
        key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey = (
            rsa.generate_private_key(65537, 2048) if purpose is not None else ec.generate_private_key(ec.SECP256R1())
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(common_name))
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=10))
            .add_extension(_usage(False), critical=True)
        )
        if purpose is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([purpose]), critical=True)
        return key, builder.sign(ca_key, hashes.SHA256())

    key, cert = issue("Finishing Test Signer")
    encrypted = serialization.BestAvailableEncryption(PASSPHRASE.encode())
    (folder / "signer.p12").write_bytes(pkcs12.serialize_key_and_certificates(b"signer", key, cert, [ca], encrypted))
    pem = serialization.Encoding.PEM
    key_pem = key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (folder / "signer.key").write_bytes(key_pem)
    (folder / "chain.pem").write_bytes(cert.public_bytes(pem) + ca.public_bytes(pem))
    return Pki(
        ca,
        folder / "signer.p12",
        folder / "signer.key",
        folder / "chain.pem",
        issue("Test TSA", ExtendedKeyUsageOID.TIME_STAMPING),
    )


@contextmanager
def timestamp_server(pki: Pki) -> Iterator[str]:
    """An RFC 3161 timestamp authority on loopback (pyHanko's own test stamper behind HTTP); yields its URL."""
    key, cert = pki.tsa
    der = serialization.Encoding.DER
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
