# SPDX-License-Identifier: MIT
"""Model bytes that cannot corrupt a run: a damaged archive or a changed embedded model is refused, clearly."""
import base64
import hashlib
import io
import re
import zipfile

import numpy as np
import openmm
import pytest
from openmm import app

import openmmtsf
from conftest import ROOT, ala2_system

MODEL = ROOT / "models" / "ala2-tsf-600K.pt"


@pytest.fixture(scope="module")
def definition(ala2_pdb):
    system = ala2_system(ala2_pdb, app.HBonds)
    return openmmtsf.internal_coordinates_from_topology(ala2_pdb.topology, system)


def _stored_entry_offset(data: bytes, compression: int = zipfile.ZIP_STORED) -> int:
    """The offset of a byte inside the data of the largest entry of a model archive stored with a compression."""
    with zipfile.ZipFile(MODEL) as archive:
        entry = max((i for i in archive.infolist() if i.compress_type == compression), key=lambda i: i.compress_size)
    local = entry.header_offset
    name_length = int.from_bytes(data[local + 26:local + 28], "little")
    extra_length = int.from_bytes(data[local + 28:local + 30], "little")
    return local + 30 + name_length + extra_length + entry.compress_size // 2


def _repacked(rename) -> bytes:
    """The model archive with its entries renamed by ``rename`` (an entry renamed to None is left out)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(MODEL) as source, zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            name = rename(entry.filename)
            if name is not None:
                target.writestr(name, source.read(entry.filename), compress_type=entry.compress_type)
    return buffer.getvalue()


def test_damaged_archives_are_refused_before_libtorch_reads_them(definition):
    data = MODEL.read_bytes()
    flipped = bytearray(data)
    flipped[_stored_entry_offset(data)] ^= 0x5A
    inflated = bytearray(data)
    inflated[_stored_entry_offset(data, zipfile.ZIP_DEFLATED)] ^= 0x5A  # TorchScript code: this crashed libtorch
    first = zipfile.ZipFile(MODEL).namelist()[0]
    damaged = {
        "CRC-32 of zip entry": bytes(flipped),
        "a deflated zip entry|CRC-32 of zip entry '[^']*/code/": bytes(inflated),
        "not all in one top-level folder": _repacked(lambda name: "elsewhere" if name == first else name),
        "no version record": _repacked(lambda name: None if name.endswith("/version") else name),
        "two zip entries named": _repacked(lambda name: name.replace("/data/1", "/data/0")),
        "no zip end-of-central-directory": data[: len(data) // 2],
        "too short": data[:10],
    }
    random = np.random.default_rng(7).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    damaged["no zip end-of-central-directory record"] = random
    for message, model in damaged.items():  # regular expressions
        with pytest.raises(openmm.OpenMMException, match=message):
            openmmtsf.TSFForce(model, definition)
    assert openmmtsf.TSFForce(data, definition).getNumDimensions() == 48


def test_a_changed_embedded_model_is_refused_from_xml(ala2_pdb, definition):
    system = ala2_system(ala2_pdb, app.HBonds)
    system.addForce(openmmtsf.TSFForce(str(MODEL), definition))
    xml = openmm.XmlSerializer.serialize(system)
    assert hashlib.sha256(MODEL.read_bytes()).hexdigest() in xml
    encoded = re.search(r'model="([^"]+)"', xml).group(1)
    model = bytearray(base64.b64decode(encoded))
    model[_stored_entry_offset(bytes(model))] ^= 0x01
    changed = xml.replace(encoded, base64.b64encode(bytes(model)).decode())
    with pytest.raises(openmm.OpenMMException, match="does not match its SHA-256"):
        openmm.XmlSerializer.deserialize(changed)
    # An older file (version 2, no checksum) is still caught, by the archive's CRC-32.
    tag = re.search(r'<Force [^>]*type="TSFForce"[^>]*>', changed).group(0)
    older_tag = re.sub(r' modelSha256="[0-9a-f]+"', "", tag).replace(' version="3"', ' version="2"')
    assert older_tag != tag and 'version="2"' in older_tag
    older = changed.replace(tag, older_tag)
    with pytest.raises(openmm.OpenMMException, match="CRC-32"):
        openmm.XmlSerializer.deserialize(older)
    assert openmm.XmlSerializer.deserialize(xml).getNumForces() == system.getNumForces()
