"""A calling system written in Python, as a team outside Ferje would write it from the README alone.

Only the public pieces are used: the Temporal Python SDK (with its own implementation of Ferje's payload codec),
Ferje's documents API over HTTP (an API key per calling system), and the flows' names from schemas/index.json.
It has no access to Ferje's disks. Prints one line `RESULT <json>` for the test to check.
"""

import asyncio
import base64
import dataclasses
import hashlib
import json
import os
import sys
import tempfile
import uuid
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
import temporalio.converter


class FerjeCodec(temporalio.converter.PayloadCodec):
    """Ferje's codec as the README states it: AES-256-GCM over the serialized Payload protobuf.

    data = 12-byte IV || ciphertext || 16-byte tag; AAD = key id; metadata encoding=binary/encrypted,
    encryption-key-id, encryption-cipher=AES256GCM.
    """

    def __init__(self, active_key_id: str, keys: dict):
        self.active_key_id = active_key_id
        self.keys = {k: base64.b64decode(v) for k, v in keys.items()}

    async def encode(self, payloads):
        out = []
        for p in payloads:
            iv = os.urandom(12)
            sealed = AESGCM(self.keys[self.active_key_id]).encrypt(
                iv, p.SerializeToString(), self.active_key_id.encode()
            )
            out.append(
                Payload(
                    metadata={
                        "encoding": b"binary/encrypted",
                        "encryption-key-id": self.active_key_id.encode(),
                        "encryption-cipher": b"AES256GCM",
                    },
                    data=iv + sealed,
                )
            )
        return out

    async def decode(self, payloads):
        out = []
        for p in payloads:
            if p.metadata.get("encoding") != b"binary/encrypted":
                out.append(p)
                continue
            key_id = p.metadata["encryption-key-id"].decode()
            plain = AESGCM(self.keys[key_id]).decrypt(p.data[:12], p.data[12:], key_id.encode())
            out.append(Payload.FromString(plain))
        return out


class Documents:
    """Ferje's documents API: POST streams a document in, GET streams one out; Bearer API key on every call."""

    def __init__(self, url: str, api_key: str):
        self.url = url.rstrip("/")
        self.http = httpx.AsyncClient(headers={"authorization": f"Bearer {api_key}"}, timeout=60)

    async def caller(self) -> str:
        r = await self.http.get(f"{self.url}/v1/caller")
        r.raise_for_status()
        return r.json()["callerId"]

    async def put(self, path: str, media_type: str, file_name: str) -> dict:
        expected = hashlib.sha256(open(path, "rb").read()).hexdigest()

        async def chunks():
            with open(path, "rb") as f:
                while block := f.read(64 * 1024):
                    yield block

        r = await self.http.post(
            f"{self.url}/v1/documents",
            content=chunks(),
            headers={
                "content-type": media_type,
                "x-ferje-file-name": _pct(file_name),
                "x-ferje-expected-sha256": expected,
                "content-length": str(os.path.getsize(path)),
            },
        )
        if r.status_code != 201:
            raise RuntimeError(f"upload refused: {r.status_code} {r.text}")
        ref = r.json()
        assert ref["sha256"] == expected, "Ferje computed another sha256"
        return ref

    async def get(self, ref: dict, out_dir: str) -> dict:
        """Streams a result document to a file and checks it against its BlobRef."""
        target = os.path.join(out_dir, ref["sha256"])
        digest = hashlib.sha256()
        async with self.http.stream("GET", f"{self.url}/v1/documents/{ref['sha256']}") as r:
            if r.status_code != 200:
                return {"sha256": ref["sha256"], "status": r.status_code}
            with open(target, "wb") as f:
                async for block in r.aiter_bytes():
                    digest.update(block)
                    f.write(block)
            head = open(target, "rb").read(5)
            return {
                "sha256": ref["sha256"],
                "status": r.status_code,
                "verified": digest.hexdigest() == ref["sha256"] == r.headers["etag"].strip('"'),
                "size": os.path.getsize(target),
                "sizeMatches": os.path.getsize(target) == ref["size"] == int(r.headers["content-length"]),
                "contentType": r.headers["content-type"],
                "head": head.decode("latin1"),
            }

    async def status_for(self, sha256: str) -> int:
        r = await self.http.head(f"{self.url}/v1/documents/{sha256}")
        return r.status_code


def _pct(name: str) -> str:
    """X-Ferje-File-Name carries the name percent-encoded as UTF-8 (headers are ASCII)."""
    return quote(name, safe="")


def small_pdf(text: str) -> bytes:
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = "%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects):
        offsets.append(len(pdf))
        pdf += f"{i + 1} 0 obj\n{body}\nendobj\n"
    xref = len(pdf)
    pdf += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    for o in offsets:
        pdf += f"{o:010d} 00000 n \n"
    pdf += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return pdf.encode("latin1")


def write(folder: str, name: str, data: bytes) -> str:
    path = os.path.join(folder, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


async def start(client, flows, caller, flow_name, input_, workflow_id, reference):
    flow = flows[flow_name]
    return await client.start_workflow(
        flow["workflowType"],
        input_,
        id=workflow_id,
        task_queue=flow["taskQueue"],
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(SearchAttributeKey.for_keyword("FerjeIntegration"), flow["integration"]),
                SearchAttributePair(SearchAttributeKey.for_keyword("FerjeExternalReference"), reference),
                SearchAttributePair(SearchAttributeKey.for_keyword("FerjeCaller"), caller),
            ]
        ),
        static_summary=f"{flow_name} started by a Python caller, ref {reference}",
    )


async def posten(client, docs, flows, caller, cfg, work, out):
    if cfg.get("postenControlUrl"):
        # The simulator plays the signers; a real deployment has people sign in Posten's portal.
        async with httpx.AsyncClient() as sim:
            await sim.post(f"{cfg['postenControlUrl']}/control/autopilot", json={"mode": "sign", "delayMs": 500})
    pdf = await docs.put(write(work, "contract.pdf", small_pdf("Python caller contract")), "application/pdf", "contract.pdf")
    reference = f"py-{uuid.uuid4().hex[:12]}"
    sender = cfg["postenSender"]
    handle = await start(
        client,
        flows,
        caller,
        "posten-signature-job",
        {
            "sender": sender,
            "reference": reference,
            "title": "Employment contract",
            "nonsensitiveTitle": "Contract to sign",
            "documents": [{"title": "Employment contract", "fileName": "contract.pdf", "content": pdf}],
            "signers": [
                {"personalIdentificationNumber": "01010112345", "order": 1, "notifications": {"email": "a@example.com"}},
                {"order": 2, "notifications": {"email": "b@example.com"}},
            ],
        },
        f"posten-job/{sender}/{reference}",
        reference,
    )
    result = await asyncio.wait_for(handle.result(), timeout=240)
    return {
        "workflowId": handle.id,
        "status": result["status"],
        "pades": await docs.get(result["pades"], out) if result.get("pades") else None,
        "xades": [await docs.get(s["xades"], out) for s in result["signers"] if s.get("xades")],
        "signers": len(result["signers"]),
    }


ARKIVMELDING = """<?xml version="1.0" encoding="UTF-8"?>
<arkivmelding xmlns="http://www.arkivverket.no/standarder/noark5/arkivmelding" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <system>Python caller</system><meldingId>{mid}</meldingId><tidspunkt>2026-01-01T10:00:00+01:00</tidspunkt><antallFiler>1</antallFiler>
  <mappe xsi:type="saksmappe"><systemID>1</systemID><tittel>Sak</tittel>
    <basisregistrering xsi:type="journalpost"><systemID>2</systemID><tittel>Vedtak</tittel><offentligTittel>Vedtak</offentligTittel>
      <dokumentbeskrivelse><dokumentnummer>1</dokumentnummer><tilknyttetRegistreringSom>Hoveddokument</tilknyttetRegistreringSom><tittel>Vedtak</tittel>
        <dokumentobjekt><referanseDokumentfil>vedtak.pdf</referanseDokumentfil></dokumentobjekt></dokumentbeskrivelse>
    </basisregistrering></mappe>
</arkivmelding>
"""


async def eformidling(client, docs, flows, caller, cfg, work, out):
    message_id = str(uuid.uuid4())
    xml = await docs.put(
        write(work, "arkivmelding.xml", ARKIVMELDING.format(mid=uuid.uuid4()).encode()), "application/xml", "arkivmelding.xml"
    )
    pdf = await docs.put(write(work, "vedtak.pdf", small_pdf("Vedtak")), "application/pdf", "vedtak.pdf")
    handle = await start(
        client,
        flows,
        caller,
        "eformidling-send",
        {
            "messageId": message_id,
            "receiver": {"kind": "organisation", "organisationNumber": "920000002"},
            "process": "urn:no:difi:profile:arkivmelding:administrasjon:ver1.0",
            "documentType": "arkivmelding",
            "businessMessage": {"hoveddokument": "vedtak.pdf", "sikkerhetsnivaa": 3},
            "files": [
                {"blob": xml, "fileName": "arkivmelding.xml", "title": "Arkivmelding"},
                {"blob": pdf, "fileName": "vedtak.pdf", "title": "Vedtak"},
            ],
            "tracking": {"pollInitialInterval": "2 seconds", "pollMaxInterval": "5 seconds"},
        },
        f"eformidling-message/{message_id}",
        message_id,
    )
    result = await asyncio.wait_for(handle.result(), timeout=240)
    # The message's documents are the flow's documents: the caller reads them back through the API.
    return {
        "workflowId": handle.id,
        "finalStatus": result["finalStatus"],
        "files": [await docs.get(xml, out), await docs.get(pdf, out)],
    }


async def incoming(client, docs, other, caller, cfg, out):
    """An incoming eFormidling message for this system: Ferje's inbox stores it and hands it to a consumer flow that
    carries this caller's id (EFORMIDLING_INBOX_CALLER); the caller finds that flow by FerjeCaller and reads the SBD
    and the ASiC container through the documents API."""
    async with httpx.AsyncClient() as sim:
        r = await sim.post(
            f"{cfg['eformidlingControlUrl']}/incoming",
            json={
                "sender": "920000002",
                "documentType": "arkivmelding",
                "businessMessage": {"hoveddokument": "svar.pdf"},
                "files": [
                    {"name": "arkivmelding.xml", "text": ARKIVMELDING.format(mid=uuid.uuid4())},
                    {"name": "svar.pdf", "text": small_pdf("Svar").decode("latin1")},
                ],
            },
        )
        r.raise_for_status()
        message_id = r.json()["messageId"]
    query = (
        f"WorkflowType = 'eformidlingStoreIncoming' AND FerjeCaller = '{caller}' "
        f"AND FerjeExternalReference = '{message_id}'"
    )
    workflow_id = None
    for _ in range(240):
        async for found in client.list_workflows(query):
            workflow_id = found.id
        if workflow_id:
            break
        await asyncio.sleep(0.5)
    if not workflow_id:
        raise RuntimeError("no incoming message flow for this caller appeared")
    stored = await asyncio.wait_for(client.get_workflow_handle(workflow_id).result(), timeout=120)
    return {
        "workflowId": workflow_id,
        "messageId": stored["messageId"],
        "asic": await docs.get(stored["asic"], out),
        "sbd": await docs.get(stored["sbdBlob"], out),
        "otherCallerOnAsic": await other.status_for(stored["asic"]["sha256"]),
    }


async def signstash(client, docs, flows, caller, cfg, work, out):
    reference = f"py-{uuid.uuid4().hex[:12]}"
    stored = [
        await docs.put(write(work, f"lease-{i}.pdf", small_pdf(f"Lease {i}")), "application/pdf", f"lease-{i}.pdf")
        for i in (1, 2)
    ]
    handle = await start(
        client,
        flows,
        caller,
        "signstash-sign",
        {
            "clientServiceId": cfg["signstashClientServiceId"],
            "externalReference": reference,
            "description": "Python caller batch",
            "documents": [
                {
                    "externalReference": f"{reference}-{i}",
                    "name": f"lease-{i}.pdf",
                    "contentType": "application/pdf",
                    "content": {"blob": blob},
                    "signatureType": "PAdES",
                    "reason": "Approved",
                }
                for i, blob in enumerate(stored)
            ],
        },
        f"signstash/{cfg['signstashClientServiceId']}/{reference}",
        reference,
    )
    result = await asyncio.wait_for(handle.result(), timeout=240)
    return {
        "workflowId": handle.id,
        "status": result["status"],
        "signed": [await docs.get(d["signed"], out) for d in result["documents"] if d.get("signed")],
        "documents": len(result["documents"]),
    }


async def main():
    cfg = json.loads(os.environ["FERJE_CALLER_CONFIG"])
    with open(cfg["schemasIndex"]) as f:
        flows = {f_["flow"]: f_ for f_ in json.load(f)["flows"]}
    converter = dataclasses.replace(
        temporalio.converter.default(), payload_codec=FerjeCodec(cfg["codecKeyId"], {cfg["codecKeyId"]: cfg["codecKey"]})
    )
    client = await Client.connect(cfg["temporalAddress"], namespace="default", data_converter=converter)
    docs = Documents(cfg["documentsUrl"], cfg["apiKey"])
    other = Documents(cfg["documentsUrl"], cfg["otherApiKey"])
    caller = await docs.caller()
    work = tempfile.mkdtemp(prefix="py-caller-in-")
    out = tempfile.mkdtemp(prefix="py-caller-out-")
    report = {"caller": caller}
    report["posten"], report["eformidling"], report["signstash"], report["incoming"] = await asyncio.gather(
        posten(client, docs, flows, caller, cfg, work, out),
        eformidling(client, docs, flows, caller, cfg, work, out),
        signstash(client, docs, flows, caller, cfg, work, out),
        incoming(client, docs, other, caller, cfg, out),
    )
    # Another calling system must not read this caller's signed documents.
    if report["posten"]["pades"]:
        report["otherCallerOnPades"] = await other.status_for(report["posten"]["pades"]["sha256"])
    print("RESULT " + json.dumps(report), flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Exception as err:  # noqa: BLE001 - the test shows whatever went wrong
        print(f"FAILED {type(err).__name__}: {err}", file=sys.stderr, flush=True)
        raise
