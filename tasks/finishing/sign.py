"""Sign a PDF (PAdES B-B, or B-T with a timestamp authority) with the operator's identity, using pyHanko."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from pyhanko.keys import load_certs_from_pemder, load_private_key_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tasks.document.failures import RenderFailed
from tasks.document.finishing import Sign

FIELD_NAME = "Signature1"
TIMESTAMP_TIMEOUT = 10  # seconds the timestamp authority has to answer


class SigningFailed(RenderFailed):
    """A signature that could not be made: a field off the document's pages, an authority that did not answer."""

    def __init__(self, message: str, code: str = "signing_failed") -> None:
        super().__init__(message, code)


@dataclass(frozen=True)
class Identity:
    """Who signs: pyHanko's signer (key and certificates) and, for B-T, the timestamp authority's URL."""

    signer: signers.Signer
    timestamp_url: str = ""

    @classmethod
    def from_pkcs12(cls, path: str, passphrase: str, timestamp_url: str = "") -> Identity:
        """The identity in a PKCS#12 file; raises `ValueError` (never quoting the passphrase) if it cannot load."""
        signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase.encode() if passphrase else None)
        if signer is None:
            raise ValueError(f"the signing identity in {path} could not be loaded (wrong passphrase, or not PKCS#12)")
        return cls(signer, timestamp_url)

    @classmethod
    def from_pem(cls, key_path: str, chain_path: str, passphrase: str = "", timestamp_url: str = "") -> Identity:
        """The identity in a PEM (or DER) key and a PEM file of certificates, the signer's first, then its chain."""
        key = load_private_key_from_pemder(key_path, passphrase=passphrase.encode() if passphrase else None)
        certificates = list(load_certs_from_pemder([chain_path]))
        if not certificates:
            raise ValueError(f"{chain_path} holds no certificate")
        signer = signers.SimpleSigner(
            signing_cert=certificates[0],
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs(certificates),
        )
        return cls(signer, timestamp_url)


def load_identity(pkcs12: str, pkcs12_passphrase: str, key: str, chain: str, key_passphrase: str, tsa: str) -> Identity:
    """The configured identity: a PKCS#12 file if one is named, else a PEM key and chain."""
    if pkcs12:
        return Identity.from_pkcs12(pkcs12, pkcs12_passphrase, tsa)
    if not (key and chain and Path(key).is_file() and Path(chain).is_file()):
        raise ValueError("SIGNING_KEY and SIGNING_CERT_CHAIN must both name readable files")
    return Identity.from_pem(key, chain, key_passphrase, tsa)


def sign_pdf(pdf: bytes, sign: Sign, identity: Identity, owner_password: str | None = None) -> bytes:
    """`pdf` with a PAdES signature over all of it, as an incremental update; an encrypted `pdf` needs the owner's
    password."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if owner_password is not None:
        writer.encrypt(owner_password)
    field_spec = None
    if sign.field is not None:
        box = sign.field
        pages = int(writer.root["/Pages"]["/Count"])
        if box.page > pages:
            raise SigningFailed(
                f"options.sign.field.page is {box.page}, but the PDF has {pages} page(s).", "signature_field_off_page"
            )
        field_spec = fields.SigFieldSpec(
            sig_field_name=FIELD_NAME,
            on_page=box.page - 1,
            box=(int(box.x), int(box.y), int(box.x + box.width), int(box.y + box.height)),
        )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        reason=sign.reason,
        location=sign.location,
        contact_info=sign.contact,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    timestamper = (
        timestamps.HTTPTimeStamper(identity.timestamp_url, timeout=TIMESTAMP_TIMEOUT)
        if identity.timestamp_url
        else None
    )
    signer = signers.PdfSigner(metadata, signer=identity.signer, timestamper=timestamper, new_field_spec=field_spec)
    try:
        out = signer.sign_pdf(writer)
    except timestamps.TimestampRequestError as exc:
        raise SigningFailed(
            "The timestamp authority did not answer with a timestamp; the PDF was not signed. Try again later.",
            "timestamp_unavailable",
        ) from exc
    data: bytes = out.getvalue()
    return data
