"""Encrypted workbooks out and in: ``generate --encrypt`` gives each workbook a password of its
own (kept in a passwords file only its owner can read), a school fills one in LibreOffice with
its password and saves it with the password, and ``update``/``analyse``/``check`` read it with
the passwords file; a wrong password, none, and a school's own password are each a clear
reason; no draft carries a password."""

from __future__ import annotations

import email
import email.policy
import io
import stat
from pathlib import Path

import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from awardbooks.common.csvfiles import csv_reader
from awardbooks.common.passwords import encrypt, read_passwords, word_list
from awardbooks.spec import loading
from awardbooks.workbook.layout import layout_for
from tests import lofill as lo
from tests.collection_tools import ROSTER, run

YEAR = "2026-27"
FW = loading.load("lppa")
AUTUMN = {"1.1": "Red", "1.2": "Amber", "1.3": "Green", "2.1": "Amber", "2.2": "Red"}
TYPED = "Zephyrine Quillfeather"
"""A distinctive name a school types (who completed the workbook), to look for after a
purge."""

needs_lo = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")


def filled(ratings: dict[str, str], comment: str = "") -> dict:
    layout = layout_for(FW)
    rows = layout.rows_by_key
    values: dict[str, dict] = {}
    for key, label in ratings.items():
        values.setdefault(rows[key].sheet, {})[layout.rating_cell(rows[key]).a1] = label
    cover = values.setdefault("Cover", {})
    cover[layout.cover_inputs["completed_by"].a1] = comment or "Co-ordinator"
    cover[layout.cover_inputs["completed_on"].a1] = {"date": "2026-11-20"}
    return values


def decrypt(path: Path, password: str) -> bytes:
    office = OOXMLFile(io.BytesIO(path.read_bytes()))
    office.load_key(password=password, verify_password=True)
    out = io.BytesIO()
    office.decrypt(out, verify_integrity=True)
    return out.getvalue()


def test_passwords_are_five_readable_words_and_differ():
    words = set(word_list())
    assert len(words) == 1295 and all(w.isalpha() and 3 <= len(w) <= 5 for w in words)


def test_generate_encrypt_one_password_each_in_a_private_file(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "wb"
    result = run(None, "generate", "lppa", "--roster", str(roster), "--term", "autumn",
                 "--year", YEAR, "--out", str(out), "--encrypt")  # fmt: skip
    assert result.output.splitlines()[-1] == (
        f"Passwords: {out}/passwords.csv (readable by you alone). Send them apart from the "
        "workbooks: awardbooks mail drafts --passwords, or by telephone."
    )
    passwords = out / "passwords.csv"
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    store = read_passwords(passwords)
    assert len(store.entries) == 4
    chosen = [e.password for e in store.entries.values()]
    assert len(set(chosen)) == 4
    for entry in store.entries.values():
        parts = entry.password.split("-")
        assert len(parts) == 5 and set(parts) <= set(word_list())
        path = out / entry.file
        assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # not a zip
        plain = decrypt(path, entry.password)
        assert plain[:2] == b"PK"
        # decrypted, the workbook is read as issued: protection, dropdowns and metadata intact
        # (the reader warns of each one lost)
        from awardbooks.read.returns import Registry, read_bytes

        record = read_bytes(plain, entry.file, Registry.default())
        # as issued, nothing is rated yet: that is its only warning
        assert ([p.code for p in record.problems], record.get("setting")) == (
            ["nothing-rated"], entry.setting
        )
    # running again keeps the workbooks and their passwords
    run(None, "generate", "lppa", "--roster", str(roster), "--term", "autumn", "--year", YEAR,
        "--out", str(out), "--encrypt")  # fmt: skip
    assert read_passwords(passwords).entries == store.entries


def test_drafts_carry_no_password_and_the_passwords_go_apart(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "wb"
    run(None, "generate", "lppa", "--roster", str(roster), "--term", "autumn", "--year", YEAR,
        "--out", str(out), "--encrypt")  # fmt: skip
    store = read_passwords(out / "passwords.csv")
    result = run(None, "mail", "drafts", str(out), "--out", str(tmp_path / "drafts"),
                 "--return-by", "2026-12-11")  # fmt: skip
    assert result.output.splitlines()[0] == (
        f"Wrote 3 drafts to {tmp_path}/drafts/ (open each and press Send)."
    )
    for draft in (tmp_path / "drafts").glob("*.eml"):
        message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert body.endswith(  # the note, then the template's sign-off
            "The workbook is encrypted with a password: Excel or LibreOffice asks for it when "
            "you open the file. The password comes to you separately, never with the workbook. "
            "Excel and LibreOffice keep the password when you save, so the workbook you send "
            "back is protected too.\n\nThank you.\n"
        )
        for entry in store.entries.values():
            assert entry.password.encode() not in draft.read_bytes()
            assert entry.password not in body
    result = run(None, "mail", "drafts", str(out), "--out", str(tmp_path / "pw"), "--passwords")
    assert result.output == (
        f"Wrote 3 password messages to {tmp_path}/pw/ (send them apart from the workbooks, or "
        "telephone from passwords-to-telephone.csv; both readable by you alone).\n"
        "  Cedar Academy: no contact_email in the roster; telephone them\n"
    )
    assert stat.S_IMODE((tmp_path / "pw").stat().st_mode) == 0o700
    ash = tmp_path / "pw" / f"Ash-Primary_lppa_{YEAR}_autumn.password.eml"
    assert stat.S_IMODE(ash.stat().st_mode) == 0o600
    message = email.message_from_bytes(ash.read_bytes(), policy=email.policy.default)
    assert (message["To"], message["Subject"]) == (
        "office@ash.example.org", "Password for Ash Primary's workbook"
    )
    assert not list(message.iter_attachments())
    password = store.get(f"Ash-Primary_lppa_{YEAR}_autumn.xlsx")
    assert message.get_content().replace("\r\n", "\n") == (
        "Dear colleague,\n\nThis is the password to open Ash Primary's workbook "
        f"Ash-Primary_lppa_{YEAR}_autumn.xlsx, sent apart from the workbook:\n\n"
        f"    {password}\n\nType it exactly as shown, with the hyphens, when Excel or "
        "LibreOffice asks for it.\n\nThank you.\n"
    )
    listing = tmp_path / "pw" / "passwords-to-telephone.csv"
    assert stat.S_IMODE(listing.stat().st_mode) == 0o600
    rows = list(csv_reader(listing.read_text("utf-8-sig")))
    assert [(r["setting"], r["password"], r["told on"]) for r in rows] == [
        (e.setting, e.password, "") for e in store.entries.values()
    ]


def test_check_messages_for_no_password_a_wrong_one_and_a_renamed_file(tmp_path):
    out = tmp_path / "wb"
    run(None, "generate", "lppa", "--setting", "Oak School", "--term", "autumn", "--year",
        YEAR, "--out", str(out), "--encrypt")  # fmt: skip
    path = out / f"Oak-School_lppa_{YEAR}_autumn.xlsx"
    result = run(None, "check", str(path), ok=False)
    assert result.output.splitlines()[1] == (
        "  error: the workbook is encrypted with a password, and no password was given for "
        "it; give the passwords file written with the workbooks (--passwords FILE; analyse "
        "finds the passwords.csv beside each --manifest, a collection its own), or type the "
        "password (--ask-password)"
    )
    result = run(None, "check", str(path), "--ask-password", input="not-the-password\n", ok=False)
    assert result.output.splitlines()[-1] == (
        "  error: the password typed does not open the workbook; if the school saved it with a "
        "password of its own, ask them for it and type it (--ask-password); else give the "
        "passwords file written with this workbook (--passwords FILE)"
    )
    renamed = tmp_path / "our return.xlsx"
    renamed.write_bytes(path.read_bytes())
    result = run(None, "check", str(renamed), "--passwords", str(out / "passwords.csv"))
    # opened: as issued, its only warning is that nothing is rated yet
    assert result.output.startswith(f"{renamed}: warning (Leading Parent Partnership Award")
    assert result.output.splitlines()[1].startswith("  warning: nothing rated: none of the 56")


@needs_lo
def test_encrypted_year_filled_in_libreoffice(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    coll = tmp_path / "north"
    made = tmp_path / "filled"
    made.mkdir()
    run(None, "new", str(coll), "--framework", "lppa", "--roster", str(roster), "--year", YEAR)
    run(coll, "generate", "--term", "autumn", "--encrypt")
    folder = coll / "workbooks" / "autumn"
    passwords = folder / "passwords.csv"
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    store = read_passwords(passwords)
    ash = f"Ash-Primary_lppa_{YEAR}_autumn.xlsx"
    birch = f"Birch-Primary_lppa_{YEAR}_autumn.xlsx"
    # the school opens it with its password, fills it and saves it with the password
    lo.fill(folder / ash, made / ash, filled(AUTUMN, TYPED), profile_dir=tmp_path / "p",
            password=store.get(ash), save_password=store.get(ash))  # fmt: skip
    # another school saves it with a password of its own
    lo.fill(folder / birch, made / birch, filled(AUTUMN), profile_dir=tmp_path / "p",
            password=store.get(birch), save_password="birch-own-secret")  # fmt: skip
    for name in (ash, birch):
        assert (made / name).read_bytes()[:4] == b"\xd0\xcf\x11\xe0"  # still encrypted
        assert TYPED.encode() not in (made / name).read_bytes()
    # the drafts carry no password, in the message or the attachment's name
    run(coll, "mail", "drafts")
    drafts = sorted((coll / "drafts" / "autumn").glob("*.eml"))
    assert len(drafts) == 3
    for draft in drafts:
        data = draft.read_bytes()
        for entry in store.entries.values():
            assert entry.password.encode() not in data
            for word in entry.password.split("-"):  # nor its words, in any encoding
                assert f"-{word}-".encode() not in data
    # the passwords go apart: a message each in a folder of their own, and a list to telephone
    assert run(coll, "mail", "drafts", "--passwords").output.splitlines()[0] == (
        f"Wrote 3 password messages to {coll}/drafts/autumn/passwords/ (send them apart from "
        "the workbooks, or telephone from passwords-to-telephone.csv; both readable by you "
        "alone)."
    )
    run(coll, "add", str(made / ash), str(made / birch))
    returns = {r["file"]: r for r in csv_reader(
        (coll / "outputs" / "data" / "returns.csv").read_text("utf-8"))}  # fmt: skip
    opened = returns[f"returns/added/{_today()}/{ash}"]  # five KPIs rated: incomplete, usable
    assert (opened["status"], opened["codes"]) == ("warning", "return-incomplete")
    assert returns[f"returns/added/{_today()}/{birch}"]["errors"] == (
        f"returns/added/{_today()}/{birch}: the workbook's password in "
        f"{passwords.relative_to(coll)} does not open it: the school saved it with a password "
        "of its own; ask the school for that password and type it "
        "(ask_password), or ask them to save it again without one (File > Info > Protect "
        "Workbook > Encrypt with Password, or in LibreOffice File > Save As with Save with "
        "password unticked)"
    )
    scores = {(r["setting"], r["group_id"]): r["score_pct"] for r in csv_reader(
        (coll / "outputs" / "data" / "scores.csv").read_text("utf-8"))}  # fmt: skip
    assert scores[("Ash Primary", "ALL")] == EXPECTED_ALL
    # the school tells its password: the next update reads that return again
    run(coll, "update", "--ask-password", input="birch-own-secret\n")
    scores = {(r["setting"], r["group_id"]): r["score_pct"] for r in csv_reader(
        (coll / "outputs" / "data" / "scores.csv").read_text("utf-8"))}  # fmt: skip
    assert scores[("Birch Primary", "ALL")] == EXPECTED_ALL
    # the password typed is kept (owner-only) for the return it opened: a rebuild reads it too
    remembered = coll / ".awardbooks" / "passwords.csv"
    assert stat.S_IMODE(remembered.stat().st_mode) == 0o600
    assert {f: e.password for f, e in read_passwords(remembered).entries.items()} == {
        birch: "birch-own-secret"
    }
    run(coll, "rebuild")
    scores = {(r["setting"], r["group_id"]): r["score_pct"] for r in csv_reader(
        (coll / "outputs" / "data" / "scores.csv").read_text("utf-8"))}  # fmt: skip
    assert scores[("Birch Primary", "ALL")] == scores[("Ash Primary", "ALL")] == EXPECTED_ALL
    # one-shot: analyse finds the passwords file beside the manifest
    out = tmp_path / "one-shot.xlsx"
    result = run(None, "analyse", str(made / ash), "--manifest", str(folder / "manifest.csv"),
                 "--out", str(out), "--data", str(tmp_path / "data"))  # fmt: skip
    one = {(r["setting"], r["group_id"]): r["score_pct"] for r in csv_reader(
        (tmp_path / "data" / "scores.csv").read_text("utf-8"))}  # fmt: skip
    assert one[("Ash Primary", "ALL")] == EXPECTED_ALL, result.output
    before = holding(coll, TYPED)
    assert {".awardbooks/ledger.sqlite",
            "outputs/consolidated.xlsx"} <= set(before)  # fmt: skip
    # the school asks for its data to be erased
    result = run(coll, "purge", "--setting", "100001", input="y\n")
    assert result.output.splitlines()[0] == (
        "This erases 1 return (Ash Primary): 1 file and their kept copies, 0 feedback "
        "reports; it cannot be undone."
    )
    assert result.output.splitlines()[-2] == (
        "Erased 1 return and 3 files; the outputs are rebuilt and the ledger holds nothing of "
        "them."
    )
    assert result.output.splitlines()[-1].startswith(  # the ledger rebuild kept aside
        "Deleted .awardbooks/ledger.before-rebuild-"
    ) and result.output.splitlines()[-1].endswith(".sqlite (an old copy of the ledger).")
    assert holding(coll, TYPED) == []
    assert not any(p.name.endswith(("-journal", "-wal")) for p in coll.rglob("*"))
    statuses = {r["setting"]: r["status"] for r in csv_reader(
        (coll / "outputs" / "data" / "returns.csv").read_text("utf-8"))}  # fmt: skip
    # Birch is still there, usable (with a warning: it is not fully rated)
    assert statuses["Ash Primary"] == "missing" and statuses["Birch Primary"] == "warning"


def holding(root: Path, text: str) -> list[str]:
    """The files under ``root`` whose bytes hold ``text`` (UTF-8 or UTF-16), or whose zip
    members do (an .xlsx, decompressed)."""
    import zipfile

    needles = [text.encode(e) for e in ("utf-8", "utf-16-le")]
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        blobs = [path.read_bytes()]
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                blobs += [zf.read(n) for n in zf.namelist()]
        if any(n in b for n in needles for b in blobs):
            found.append(path.relative_to(root).as_posix())
    return found


EXPECTED_ALL = "40.0"  # Red 0, Amber 1, Green 2 of 2 each: (0 + 1 + 2 + 1 + 0) / 10


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()


def test_encryption_gives_back_the_very_same_workbook(tmp_path):
    run(None, "generate", "lppa", "--setting", "Oak School", "--term", "autumn", "--year",
        YEAR, "--out", str(tmp_path))  # fmt: skip
    plain = (tmp_path / f"Oak-School_lppa_{YEAR}_autumn.xlsx").read_bytes()
    sealed = tmp_path / "sealed.xlsx"
    sealed.write_bytes(encrypt(plain, "acorn-pulse-tidy-vowel-zebra"))
    assert decrypt(sealed, "acorn-pulse-tidy-vowel-zebra") == plain


def test_workbooks_issued_encrypted_join_a_collection_with_their_passwords(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "wb"
    run(None, "generate", "lppa", "--roster", str(roster), "--term", "autumn", "--year", YEAR,
        "--out", str(out), "--encrypt")  # fmt: skip
    coll = tmp_path / "north"
    run(None, "new", str(coll), "--framework", "lppa", "--roster", str(roster), "--year", YEAR,
        "--issued", str(out))  # fmt: skip
    kept = coll / "workbooks" / "autumn" / "passwords.csv"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    given = read_passwords(out / "passwords.csv").entries
    assert {f: e.password for f, e in read_passwords(kept).entries.items()} == {
        f: e.password for f, e in given.items()
    }


def test_one_password_typed_for_every_workbook(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "wb"
    result = run(None, "generate", "lppa", "--roster", str(roster), "--term", "autumn",
                 "--year", YEAR, "--out", str(out), "--encrypt", "--ask-password",
                 input="our typed secret\nour typed secret\n")  # fmt: skip
    assert result.output.splitlines()[-1] == (
        "Encrypted with the password you typed; tell the schools it apart from the workbooks."
    )
    assert "our typed secret" not in result.output  # the prompt never shows it
    assert not (out / "passwords.csv").exists()  # never stored
    for path in out.glob("*.xlsx"):
        assert decrypt(path, "our typed secret")[:2] == b"PK"
    result = run(None, "check", str(next(out.glob("Ash*.xlsx"))), "--ask-password",
                 input="our typed secret\n")  # fmt: skip
    # opened: as issued, its only warning is that nothing is rated yet
    assert " warning (Leading Parent Partnership Award, Ash Primary; 0 of 56 rated, 0 %; 0 " \
        "errors, 1 warning)" in result.output
    result = run(None, "generate", "lppa", "--setting", "Oak", "--out", str(out),
                 "--ask-password", ok=False)  # fmt: skip
    assert result.output.splitlines()[-1] == "Error: --ask-password goes with --encrypt"


def test_once_encrypted_a_collection_encrypts_every_later_term(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    coll = tmp_path / "north"
    run(None, "new", str(coll), "--framework", "lppa", "--roster", str(roster), "--year", YEAR)
    run(coll, "generate", "--term", "autumn", "--encrypt")
    result = run(coll, "generate", "--term", "spring")  # --encrypt forgotten
    assert result.stdout.splitlines()[1] == (
        f"Passwords: {coll}/workbooks/spring/passwords.csv (readable by you alone). Send them "
        "apart from the workbooks: awardbooks mail drafts --passwords, or by telephone."
    )
    store = read_passwords(coll / "workbooks" / "spring" / "passwords.csv")
    assert len(store.entries) == 4
    for entry in store.entries.values():
        assert decrypt(coll / "workbooks" / "spring" / entry.file, entry.password)[:2] == b"PK"


def test_passwords_file_is_never_readable_by_others_even_while_written(tmp_path, monkeypatch):
    import os

    from awardbooks.common.passwords import PasswordsFile, write_passwords

    seen = []
    real_replace = os.replace

    def replace(src, dst):
        seen.append(stat.S_IMODE(os.stat(src).st_mode))  # the temporary file, written
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    old = os.umask(0)  # even with a umask that would let everybody read new files
    try:
        target = tmp_path / "passwords.csv"
        target.write_text("file,setting,urn,password\r\n")
        target.chmod(0o644)  # an earlier copy someone made readable
        store = PasswordsFile(target)
        store.set("a.xlsx", "A", "1", "acid-acorn-acre-acts-afar")
        write_passwords(store)
    finally:
        os.umask(old)
    assert seen == [0o600]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name != "passwords.csv"]


def test_encrypt_on_workbooks_already_made_says_they_stay_plain(tmp_path):
    """--encrypt writes encrypted workbooks; those a term already has are kept as they are,
    and the officer is told, not left to think they were encrypted."""
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    coll = tmp_path / "c"
    run(None, "new", str(coll), "--framework", "lppa", "--roster", str(roster), "--year", YEAR)
    run(coll, "generate", "--term", "autumn")
    result = run(coll, "generate", "--term", "autumn", "--encrypt")
    assert result.output.splitlines()[-2:] == [
        "Kept 4 workbooks already made and current.",
        "Warning: 4 workbooks already made were kept as they are, not encrypted: --encrypt "
        "applies to the workbooks it writes.",
    ]
    for path in (coll / "workbooks" / "autumn").glob("*.xlsx"):
        assert path.read_bytes()[:2] == b"PK"  # as they were
