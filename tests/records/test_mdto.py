"""Transfer to an e-Depot: `balie archive export-mdto` writes files with MDTO metadata that the
Nationaal Archief's schema accepts, checksums that match, only what is due and only the
organisation's own, all or nothing."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import xmlschema
from defusedxml.ElementTree import parse as parse_xml
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from PIL import Image

from balie.archive.models import AuditEntry, RecordClass
from balie.conversations import actions
from balie.conversations.blobs import blob_name
from balie.conversations.models import Conversation, Direction, Message
from balie.records import mdto
from balie.records.holds import do_place_hold
from balie.records.record_classes import do_save_record_class, do_set_record_class
from balie.records.terms import Retention
from balie.records.transfer import due_for_transfer, start_of
from tests.factories import pdf_document, send
from tests.records.helpers import close_in_the_past

SCHEMA_FILE = Path(__file__).parent / "schemas" / "mdto" / "MDTO-XML1.0.1.xsd"
NS = {"m": mdto.NAMESPACE}
YEAR = 366  # days: "21 years ago" is then at least 21 calendar years ago
PDF = pdf_document(b"Raadsbesluit")
HOSTILE = "Regel\x0bmet\x01stuur\x1ftekens \ufffe en \x7f einde"


@pytest.fixture(scope="module")
def schema():
    # Everything local: the schema imports nothing, and instances' location hints are not
    # followed (xmlschema's default), so validation never reaches the network.
    return xmlschema.XMLSchema(str(SCHEMA_FILE), allow="local", defuse="always")


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _conversation(organisation, agent, records, *, code="BESTUUR", years_ago=21, texts=(),
                  files=()):  # fmt: skip
    """A web chat with messages and sent attachments, given a class, closed years ago."""
    conversation, _ = actions.do_start_webchat(organisation)
    for text in texts:
        send(conversation, text)
    for name, data in files:
        attachment = actions.do_store_attachment(
            conversation, data=data, filename=name, uploaded_by=agent
        )
        actions.do_send_message(
            conversation, direction=Direction.OUTBOUND, body=f"Bijlage {name}",
            client_id=uuid.uuid4().hex, author=agent, attachment_ids=[attachment.pk],
        )  # fmt: skip
    record_class = RecordClass.objects.get(organisation=organisation, code=code)
    do_set_record_class(conversation, actor=records, record_class_id=record_class.pk)
    close_in_the_past(conversation, agent, days=YEAR * years_ago)
    return conversation


def _export(tmp_path, *args, name="export") -> tuple[Path, str]:
    output = tmp_path / name
    out = io.StringIO()
    call_command("archive", "export-mdto", "--output", str(output), *args, stdout=out)
    return output, out.getvalue()


def _exported_ids(output: Path) -> set[int]:
    return {int(d.name.removeprefix("gesprek-")) for d in output.iterdir() if d.is_dir()}


def _sidecars(output: Path, kind: str) -> list[Path]:
    """The informatieobject sidecars, or those of the bestanden."""
    files = {p for p in output.rglob("*.bestand.MDTO.xml")}
    found = files if kind == "bestand" else set(output.rglob("*.MDTO.xml")) - files
    return sorted(found)


def _text(path: Path, xpath: str) -> str:
    found = parse_xml(path).getroot().find(xpath, NS)
    assert found is not None, xpath
    return found.text or ""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def bestuur(utrecht, utrecht_team, lead_lotte, records_rik):
    """A conversation to keep permanently, closed 21 years ago, with a PDF and a photo."""
    return _conversation(
        utrecht, lead_lotte, records_rik,
        texts=["Vraag over het raadsbesluit", HOSTILE],
        files=[("besluit.pdf", PDF), ("foto.png", _png())],
    )  # fmt: skip


@pytest.fixture
def exported(tmp_path, bestuur):
    return _export(tmp_path, "--organisation", "utrecht")[0]


def test_every_sidecar_validates_against_the_vendored_mdto_schema(exported, bestuur, schema):
    records, files = _sidecars(exported, "informatieobject"), _sidecars(exported, "bestand")
    assert [p.name for p in records] == [f"gesprek-{bestuur.pk}.MDTO.xml"]
    assert len(files) == 3  # the transcript, the PDF and the photo
    for path in records + files:
        schema.validate(str(path))
    record = records[0]
    assert _text(record, "m:informatieobject/m:waardering/m:begripCode") == "B"
    assert _text(record, "m:informatieobject/m:aggregatieniveau/m:begripLabel") == "Archiefstuk"
    assert _text(record, "m:informatieobject/m:informatiecategorie/m:begripCode") == "BESTUUR"
    assert (
        _text(record, "m:informatieobject/m:archiefvormer/m:verwijzingIdentificatie/"
                      "m:identificatieKenmerk")
        == "https://identifier.overheid.nl/tooi/id/gemeente/gm0344"
    )  # fmt: skip
    represented = (
        parse_xml(record)
        .getroot()
        .findall("m:informatieobject/m:heeftRepresentatie/m:verwijzingNaam", NS)
    )
    assert {r.text for r in represented} == {p.name.removesuffix(".bestand.MDTO.xml")
                                             for p in files}  # fmt: skip


def test_checksums_in_the_sidecars_and_the_manifest_match_the_bytes(exported):
    for sidecar in _sidecars(exported, "bestand"):
        file = sidecar.with_name(sidecar.name.removesuffix(".bestand.MDTO.xml"))
        assert _text(sidecar, "m:bestand/m:checksum/m:checksumWaarde") == _sha256(file)
        assert _text(sidecar, "m:bestand/m:checksum/m:checksumAlgoritme/m:begripLabel") == "SHA-256"
        assert int(_text(sidecar, "m:bestand/m:omvang")) == file.stat().st_size
    listed = {}
    for line in (exported / "checksums.sha256").read_text().splitlines():
        sha, name = line.split("  ", 1)
        listed[name] = sha
    on_disk = {str(p.relative_to(exported)) for p in exported.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {"checksums.sha256"}
    assert all(_sha256(exported / name) == sha for name, sha in listed.items())
    if shutil.which("sha256sum"):
        subprocess.run(["sha256sum", "--check", "--quiet", "checksums.sha256"], cwd=exported,
                       check=True)  # fmt: skip


def test_attachments_are_the_originals_named_by_id_with_their_format(exported, bestuur):
    folder = exported / f"gesprek-{bestuur.pk}"
    pdf = next(folder.glob("bijlage-*.pdf"))
    assert pdf.read_bytes() == PDF
    sidecar = pdf.with_name(pdf.name + ".bestand.MDTO.xml")
    assert _text(sidecar, "m:bestand/m:bestandsformaat/m:begripCode") == "fmt/276"  # PDF 1.7
    png = next(folder.glob("bijlage-*.png"))
    sidecar = png.with_name(png.name + ".bestand.MDTO.xml")
    assert _text(sidecar, "m:bestand/m:bestandsformaat/m:begripLabel") == "image/png"
    names = {p.name for p in folder.iterdir()}
    assert not any("besluit" in name or "foto" in name for name in names)  # user text


def test_the_transcript_holds_every_message_unredacted(exported, bestuur):
    data = json.loads((exported / f"gesprek-{bestuur.pk}" /
                       f"gesprek-{bestuur.pk}-transcript.json").read_bytes())  # fmt: skip
    texts = [m["text"] for m in data["messages"]]
    assert texts[:2] == ["Vraag over het raadsbesluit", HOSTILE]
    assert [m["role"] for m in data["messages"]][:3] == ["inwoner", "inwoner", "gemeente"]
    attached = [a["file"] for m in data["messages"] for a in m["attachments"]]
    assert len(attached) == 2 and all(name.startswith("bijlage-") for name in attached)
    assert data["record_class"]["waardering"] == "bewaren"


def test_edited_and_deleted_messages_keep_their_versions(
    tmp_path, utrecht, utrecht_team, lead_lotte, records_rik
):
    conversation, _ = actions.do_start_webchat(utrecht)
    reply = send(conversation, "Eerste versie", direction=Direction.OUTBOUND, author=lead_lotte)
    gone = send(conversation, "Wordt verwijderd", direction=Direction.OUTBOUND, author=lead_lotte)
    actions.do_edit_message(reply, actor=lead_lotte, body="Tweede versie")
    actions.do_delete_message(gone, actor=lead_lotte)
    bestuur = RecordClass.objects.get(organisation=utrecht, code="BESTUUR")
    do_set_record_class(conversation, actor=records_rik, record_class_id=bestuur.pk)
    close_in_the_past(conversation, lead_lotte, days=YEAR * 21)

    output, _ = _export(tmp_path, "--organisation", "utrecht")
    data = json.loads(next(output.rglob("*-transcript.json")).read_bytes())
    edited, deleted = [m for m in data["messages"] if m["role"] == "gemeente"]
    assert edited["text"] == "Tweede versie"
    assert [v.get("text") for v in edited["versions"]] == ["Eerste versie", "Tweede versie"]
    assert deleted["text"] == "" and deleted["deleted_at"]
    assert deleted["versions"][0]["text"] == "Wordt verwijderd"


def test_only_what_is_due_is_selected(
    tmp_path, utrecht, utrecht_team, lead_lotte, records_rik, bestuur
):
    recent = _conversation(utrecht, lead_lotte, records_rik, years_ago=5)
    destroyable = _conversation(utrecht, lead_lotte, records_rik, code="KCC-VRAAG")
    still_open, _ = actions.do_start_webchat(utrecht)
    Conversation.objects.filter(pk=still_open.pk).update(
        record_class=RecordClass.objects.get(organisation=utrecht, code="BESTUUR"),
        created_at=timezone.now() - timedelta(days=YEAR * 30),
    )

    assert [c.pk for c in due_for_transfer(utrecht.pk)] == [bestuur.pk]
    assert {c.pk for c in due_for_transfer(utrecht.pk, after_years=3)} == {bestuur.pk, recent.pk}
    output, _ = _export(tmp_path, "--organisation", "utrecht")
    assert _exported_ids(output) == {bestuur.pk}
    later = (timezone.localdate() + timedelta(days=YEAR * 16)).isoformat()
    output, _ = _export(tmp_path, "--organisation", "utrecht", "--due-before", later, name="b")
    assert _exported_ids(output) == {bestuur.pk, recent.pk}
    assert destroyable.pk not in _exported_ids(output) and still_open.pk not in _exported_ids(
        output
    )


def test_due_before_counts_from_the_start_of_that_day(utrecht, bestuur):
    transfer_day = timezone.localtime(Retention(years=20).after(bestuur.closed_at)).date()
    assert due_for_transfer(utrecht.pk, before=start_of(transfer_day)) == []
    after = start_of(transfer_day + timedelta(days=1))
    assert [c.pk for c in due_for_transfer(utrecht.pk, before=after)] == [bestuur.pk]


def test_held_conversations_are_still_exported(tmp_path, utrecht, records_rik, bestuur):
    do_place_hold(
        utrecht.pk, actor=records_rik, kind="legal", scope="conversation",
        target_id=bestuur.pk, reference="ZAAK-7", reason="Lopend bezwaar",
    )  # fmt: skip
    output, _ = _export(tmp_path, "--organisation", "utrecht")
    assert _exported_ids(output) == {bestuur.pk}


def test_an_organisation_never_exports_another_organisations_conversations(
    tmp_path, bestuur, groningen, groningen_team, agent_gerrit, records_gea
):
    theirs = _conversation(groningen, agent_gerrit, records_gea, texts=["Groninger geheim"])

    output, _ = _export(tmp_path, "--organisation", "utrecht")
    assert _exported_ids(output) == {bestuur.pk}
    every_text = b"".join(p.read_bytes() for p in output.rglob("*") if p.is_file())
    assert b"Groninger geheim" not in every_text and b"Groningen" not in every_text

    with pytest.raises(CommandError) as refused:
        _export(tmp_path, "--organisation", "utrecht", "--conversation", str(theirs.pk), name="c")
    with pytest.raises(CommandError) as missing:
        _export(tmp_path, "--organisation", "utrecht", "--conversation", "999999", name="c")
    assert str(refused.value).replace(str(theirs.pk), "N") == str(missing.value).replace(
        "999999", "N"
    )  # another organisation's id reveals nothing
    assert not (tmp_path / "c").exists()
    output, _ = _export(tmp_path, "--organisation", "groningen", name="g")
    assert _exported_ids(output) == {theirs.pk}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--organisation", "nergens"], "nergens"),
        (["--organisation", "utrecht", "--due-before", "2024-13-01"], "2024-13-01"),
        (["--organisation", "utrecht", "--due-before", "morgen"], "morgen"),
        (["--organisation", "utrecht", "--after-years", "twintig"], "twintig"),
        (["--organisation", "utrecht", "--after-years", "999"], "200"),
        (
            ["--organisation", "utrecht", "--conversation", "1", "--after-years", "10"],
            "after-years",
        ),
        (["--organisation", "utrecht", "--user", "niemand"], "niemand"),
        (["--organisation", "utrecht", "--user", "agent_anna"], None),  # not a records manager
        (["--organisation", "utrecht", "--conversation", "abc"], "abc"),
    ],
)
def test_bad_input_is_refused_clearly_and_writes_nothing(tmp_path, bestuur, agent_anna, args, says):
    with pytest.raises(CommandError, match=says):
        _export(tmp_path, *args)
    assert list(tmp_path.iterdir()) == [tmp_path / "files"]  # the test's file store only
    assert not AuditEntry.objects.filter(action="conversation.transfer").exists()


def test_an_open_conversation_is_not_transferred(tmp_path, utrecht, utrecht_team, bestuur):
    still_open, _ = actions.do_start_webchat(utrecht)
    with pytest.raises(CommandError, match=str(still_open.pk)):
        _export(tmp_path, "--organisation", "utrecht", "--conversation", str(still_open.pk))
    assert not (tmp_path / "export").exists()


@pytest.mark.parametrize("occupied", ["a file inside", "a file"])
def test_an_output_that_is_not_new_or_empty_is_refused(tmp_path, bestuur, occupied):
    output = tmp_path / "export"
    if occupied == "a file":
        output.write_text("hier niet")
    else:
        output.mkdir()
        (output / "ander.txt").write_text("van iemand anders")
    with pytest.raises(CommandError, match="export"):
        _export(tmp_path, "--organisation", "utrecht")
    after = sorted(p.name for p in output.iterdir()) if output.is_dir() else output.read_text()
    assert after in (["ander.txt"], "hier niet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export", "files"]


def test_an_empty_directory_is_filled(tmp_path, bestuur):
    (tmp_path / "export").mkdir()
    output, said = _export(tmp_path, "--organisation", "utrecht")
    assert _exported_ids(output) == {bestuur.pk} and "sha256sum -c" in said
    assert output.stat().st_mode & 0o777 == 0o700  # unredacted: for its owner only


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_a_damaged_file_stops_the_export_and_leaves_nothing_behind(tmp_path, bestuur, damage):
    attachment = bestuur.attachments.get(content_type="application/pdf")
    if damage == "missing":
        default_storage.delete(blob_name(attachment.sha256))
    else:
        Path(default_storage.path(blob_name(attachment.sha256))).write_bytes(PDF[:-1] + b"X")
    with pytest.raises(CommandError, match=str(attachment.pk)):
        _export(tmp_path, "--organisation", "utrecht")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["files"]  # no half export, no temp


def test_the_export_is_in_the_audit_log_with_who_and_what(tmp_path, utrecht, records_rik, bestuur):
    _export(tmp_path, "--organisation", "utrecht", "--user", "records_rik")
    entry = AuditEntry.objects.get(organisation=utrecht, action="conversation.transfer")
    assert entry.actor == records_rik
    assert entry.channel == "cli"
    assert entry.detail["ids"] == [bestuur.pk] and entry.detail["standard"] == "MDTO 1.0.1"
    assert entry.detail["output"] == str(tmp_path / "export")
    record = next((tmp_path / "export").rglob(f"gesprek-{bestuur.pk}.MDTO.xml"))
    actors = (
        parse_xml(record)
        .getroot()
        .findall("m:informatieobject/m:event/m:eventVerantwoordelijkeActor/m:verwijzingNaam", NS)
    )
    assert [a.text for a in actors] == ["Rik"]


def test_a_conversation_named_explicitly_carries_its_retention_term(
    tmp_path, utrecht, utrecht_team, lead_lotte, records_rik, schema
):
    do_save_record_class(
        utrecht.pk, actor=records_rik, code="KCC-KORT", name="Korte vragen",
        retention="P6M2W", waardering="vernietigen", selectielijst_reference="Selectielijst 1.1",
    )  # fmt: skip
    chosen = _conversation(utrecht, lead_lotte, records_rik, code="KCC-KORT", years_ago=1)
    output, _ = _export(tmp_path, "--organisation", "utrecht", "--conversation", str(chosen.pk))
    record = output / f"gesprek-{chosen.pk}" / f"gesprek-{chosen.pk}.MDTO.xml"
    schema.validate(str(record))
    assert _text(record, "m:informatieobject/m:waardering/m:begripCode") == "V"
    assert _text(record, "m:informatieobject/m:bewaartermijn/m:termijnLooptijd") == "P6M14D"
    assert (
        _text(record, "m:informatieobject/m:informatiecategorie/m:begripBegrippenlijst/"
                      "m:verwijzingNaam")
        == "Selectielijst 1.1"
    )  # fmt: skip


def test_hostile_characters_stay_in_the_transcript_but_never_break_the_xml(
    tmp_path, utrecht, lead_lotte, records_rik, bestuur, schema
):
    actions.do_update_details(bestuur, actor=lead_lotte, subject="Onderwerp\x01met\x02tekens")
    output, _ = _export(tmp_path, "--organisation", "utrecht")
    record = output / f"gesprek-{bestuur.pk}" / f"gesprek-{bestuur.pk}.MDTO.xml"
    schema.validate(str(record))
    descriptions = [e.text for e in parse_xml(record).getroot().findall(
        "m:informatieobject/m:omschrijving", NS)]  # fmt: skip
    assert "Onderwerp: Onderwerp\ufffdmet\ufffdtekens" in descriptions
    data = json.loads(next(output.rglob("*-transcript.json")).read_bytes())
    assert HOSTILE in [m["text"] for m in data["messages"]]
    assert data["conversation"]["subject"] == "Onderwerp\x01met\x02tekens"


def test_characters_xml_forbids_are_replaced_even_nul(schema):
    assert mdto.xml_text("a\x00b\x0bc\ud800d\uffffe\tf") == "a\ufffdb\ufffdc\ufffdd\ufffde\tf"
    record = mdto.Informatieobject(
        ident=mdto.Ident("gesprek-1\x00", "Balie"), naam="Gesprek\x00 1\x0b",
        aggregatieniveau=mdto.ARCHIEFSTUK, waardering=mdto.BLIJVEND_TE_BEWAREN,
        archiefvormer=mdto.Reference("Gemeente\x1b Utrecht"),
        beperking=mdto.BEPERKING_NADER_TE_BEPALEN, omschrijving=("\x00\x08\ufffe",),
        taal="nl\x00",
    )  # fmt: skip
    schema.validate(mdto.informatieobject_xml(record).decode())


def test_nothing_due_writes_nothing(tmp_path, utrecht):
    output, said = _export(tmp_path, "--organisation", "utrecht")
    assert not output.exists() and said
    assert not AuditEntry.objects.filter(action="conversation.transfer").exists()


def test_messages_are_never_changed_by_an_export(tmp_path, bestuur):
    before = list(Message.objects.filter(conversation=bestuur).values_list("body", flat=True))
    _export(tmp_path, "--organisation", "utrecht")
    assert (
        list(Message.objects.filter(conversation=bestuur).values_list("body", flat=True)) == before
    )
