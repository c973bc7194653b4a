"""Email in and out: drafts and SMTP sending of generated workbooks, and returns read from
saved emails (.eml, .msg, .mbox) with the message each came from."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import io
import mailbox
import socket
import zipfile
from email.message import EmailMessage

import pytest
from click.testing import CliRunner

from awardbooks import api
from awardbooks.analyse import consolidate
from awardbooks.cli import cli
from awardbooks.errors import AwardbooksError
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_roster
from awardbooks.mail import drafts as mail
from awardbooks.mail import send as mail_send
from awardbooks.read import container
from awardbooks.read import emails as mailin
from awardbooks.read import inputs as analysis
from tests.conftest import make_workbook
from tests.outlook_msg import message_tree, outlook_msg

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LLYN = "Ysgol-Gymraeg-Llŷn_lppa_2026-27_autumn.xlsx"
MARYS = "St-Marys-C-of-E-Primary_lppa_2026-27_autumn.xlsx"
FROM = "LA Office <office@la.example>"
SAINT = "St Mary's C of E Primary"
LLYN_NAME = "Ysgol Gymraeg Llŷn"
LLYN_TEXT = (
    "Dear colleague,\n\n"
    "Please find attached Ysgol Gymraeg Llŷn's Leading Parent Partnership Award workbook for "
    "the autumn term of 2026-27.\n\n"
    "Open it in Excel or LibreOffice, fill in the details on the Cover sheet, then rate each "
    "item with the dropdown beside it. Only the cells for you to fill in can be changed.\n\n"
    f"Please keep the file name ({LLYN}) and send the workbook back as an attachment, by "
    "replying to this email, by Friday 11 December 2026.\n\n"
    "Thank you.\n"
)


def subject(setting: str) -> str:
    return f"Leading Parent Partnership Award: {setting}, autumn term 2026-27"


@pytest.fixture
def roster(tmp_path, frameworks):
    """Generated workbooks for four settings: two with email, one without, one whose
    address a mail server refuses."""
    settings = [
        Setting("St Mary's C of E Primary", "100101", "North", "", "head@stmarys.example"),
        Setting("Ysgol Gymraeg Llŷn", "100102", "North", "", "Pennaeth <pennaeth@llyn.example>"),
        Setting("Oak School", "100103", "North"),
        Setting("Rowan Academy", "100104", "South", "", "rejected@rowan.example"),
    ]
    out = tmp_path / "workbooks"
    generate_roster(frameworks["lppa"], settings, year="2026-27", term="autumn", out_dir=out)
    return out


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def body(msg) -> str:
    """The plain-text body, with the file's CRLF line ends read as newlines."""
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


# ------------------------------------------------------------------------------ drafts


def test_drafts_parse_back_as_standard_messages(roster, tmp_path):
    out = tmp_path / "drafts"
    result = mail.write_drafts(roster, None, out, FROM, return_by="2026-12-11")
    assert [p.name for p in result.written] == [
        "St-Marys-C-of-E-Primary_lppa_2026-27_autumn.eml",
        "Ysgol-Gymraeg-Llŷn_lppa_2026-27_autumn.eml",
        "Rowan-Academy_lppa_2026-27_autumn.eml",
    ]
    assert [(u.setting, u.file, u.reason) for u in result.no_email] == [
        ("Oak School", "Oak-School_lppa_2026-27_autumn.xlsx", "no contact_email in the roster")
    ]
    raw = (out / "Ysgol-Gymraeg-Llŷn_lppa_2026-27_autumn.eml").read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # CRLF throughout
    assert b"filename*=utf-8''Ysgol-Gymraeg-Ll%C5%B7n_lppa_2026-27_autumn.xlsx" in raw  # RFC 2231
    msg = parse(raw)
    assert msg["To"] == "Pennaeth <pennaeth@llyn.example>"
    assert msg["From"] == FROM
    assert msg["Subject"] == subject("Ysgol Gymraeg Llŷn")
    assert msg["X-Unsent"] == "1"
    assert body(msg) == LLYN_TEXT
    html = msg.get_body(("html",)).get_content()
    assert "<p>Please find attached Ysgol Gymraeg Llŷn&#x27;s Leading Parent" in html
    attachments = list(msg.iter_attachments())
    assert [(a.get_filename(), a.get_content_type()) for a in attachments] == [(LLYN, XLSX)]
    assert attachments[0].get_content() == (roster / LLYN).read_bytes()
    marys = parse((out / "St-Marys-C-of-E-Primary_lppa_2026-27_autumn.eml").read_bytes())
    assert marys["To"] == "head@stmarys.example"
    assert marys["Subject"] == subject("St Mary's C of E Primary")
    assert [a.get_filename() for a in marys.iter_attachments()] == [MARYS]
    assert next(marys.iter_attachments()).get_content() == (roster / MARYS).read_bytes()


def test_drafts_are_never_overwritten_without_force(roster, tmp_path):
    out = tmp_path / "drafts"
    mail.write_drafts(roster / "manifest.csv", None, out, return_by="2026-12-11")
    draft = out / "St-Marys-C-of-E-Primary_lppa_2026-27_autumn.eml"
    assert "From" not in parse(draft.read_bytes())  # the mail program fills in its own
    draft.write_bytes(b"edited by hand")
    again = mail.write_drafts(roster, None, out, return_by="2026-12-11")
    assert (len(again.written), len(again.kept)) == (0, 3)
    assert draft.read_bytes() == b"edited by hand"
    forced = mail.write_drafts(roster, None, out, return_by="2026-12-11", force=True)
    assert len(forced.written) == 3
    assert parse(draft.read_bytes())["To"] == "head@stmarys.example"


def test_drafts_command_lists_settings_without_email(roster, tmp_path):
    runner = CliRunner()
    args = ["mail", "drafts", str(roster), "--return-by", "2026-12-11", "--out"]
    result = runner.invoke(cli, [*args, str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Wrote 3 drafts to {tmp_path / 'd'}/ (open each and press Send).",
        "No message for 1 setting (contact it another way):",
        "  Oak School (Oak-School_lppa_2026-27_autumn.xlsx): no contact_email in the roster",
    ]
    missing = runner.invoke(cli, ["mail", "drafts", str(roster), "--out", str(tmp_path / "e")])
    assert missing.exit_code == 1
    assert missing.output == (
        "Error: the default message says when the workbooks are due ({return_by}); give the "
        "date with --return-by, e.g. --return-by 2026-12-11\n"
    )


def test_own_template_with_cc_and_braces(roster, tmp_path):
    template = tmp_path / "note.txt"
    template.write_text(
        "# a note for me\nSubject: {setting} ({urn}) {{draft}}\nCc: adviser@la.example\n\n"
        "# not a note: the body starts here\n{framework} for {partnership}, {term} {year}.\n",
        encoding="utf-8",
    )
    result = mail.write_drafts(roster, template, tmp_path / "d")
    msg = parse(result.written[0].read_bytes())
    assert msg["Subject"] == "St Mary's C of E Primary (100101) {draft}"
    assert msg["Cc"] == "adviser@la.example"
    assert body(msg) == ("# not a note: the body starts here\nlppa for North, autumn 2026-27.\n")


@pytest.mark.parametrize(
    "text, message",
    [
        ("Subject: {school}\n\nHi", "line 1: unknown placeholder {school}; use {setting}, "
         "{framework_title}, {framework}, {term}, {year}, {return_by}, {urn}, {partnership}, "
         "{local_authority}, {file}, {term_words}, {to_add}"),
        ("Subject: x\n\nHi {setting.__class__}", "line 3: unknown placeholder "
         "{setting.__class__}; use {setting}, {framework_title}, {framework}, {term}, {year}, "
         "{return_by}, {urn}, {partnership}, {local_authority}, {file}, {term_words}, {to_add}"),
        ("Subject: x\n\nHi }", "line 3: unmatched brace; write {{ and }} for a literal brace"),
        ("Hello {setting}\n", "line 1: 'Hello {setting}' is not a header line; start the "
         "template with header lines (Subject:, Cc:, Reply-To:), then a blank line, then the "
         "body"),
        ("Cc: a@b.example\n\nHi", "the template has no 'Subject:' line; put one on its first "
         "line"),
    ],
)  # fmt: skip
def test_template_errors(tmp_path, text, message):
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(mail.MailError) as caught:
        mail.load_template(path)
    assert str(caught.value) == f"{path}: {message}"


def test_bad_addresses_and_dates(roster, tmp_path):
    with pytest.raises(mail.MailError, match=r"^return_by '11/12/2026' is not a date like"):
        mail.write_drafts(roster, None, tmp_path / "d", return_by="11/12/2026")
    with pytest.raises(mail.MailError) as caught:
        mail.write_drafts(roster, None, tmp_path / "d", "office", return_by="2026-12-11")
    assert str(caught.value) == "from_addr: 'office' is not an email address"
    manifest = (roster / "manifest.csv").read_text(encoding="utf-8")
    (roster / "manifest.csv").write_text(
        manifest.replace("head@stmarys.example", "head at stmarys"), encoding="utf-8"
    )
    (roster / MARYS).unlink()
    (roster / LLYN).unlink()
    result = mail.write_drafts(roster, None, tmp_path / "d", return_by="2026-12-11")
    assert [(u.setting, u.reason, u.kind) for u in result.unsent] == [
        ("St Mary's C of E Primary", "contact_email: 'head at stmarys' is not an email address",
         "bad email"),
        ("Ysgol Gymraeg Llŷn", f"the workbook {roster / LLYN} is missing", "no workbook"),
        ("Oak School", "no contact_email in the roster", "no email"),
    ]  # fmt: skip
    assert [u.setting for u in result.no_email] == ["St Mary's C of E Primary", "Oak School"]


# ------------------------------------------------------------------------------ sending


class Recorder:
    """An aiosmtpd handler that keeps what it receives and refuses rejected@ addresses."""

    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.logins: list[tuple[bytes, bytes]] = []
        self.hang_up_on = b""  # answer 421 (closing) to a message holding this text

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("rejected@"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hang_up_on and self.hang_up_on in envelope.content:
            return "421 4.3.2 service shutting down, try again later"
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret pass", handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback only, stopped at the end of the test."""
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    controller = Controller(
        recorder,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=recorder.authenticate,
        auth_require_tls=False,  # loopback only: the test logs in without TLS
    )
    controller.start()
    try:
        yield f"127.0.0.1:{controller.port}", recorder
    finally:
        controller.stop()


def send_args(roster, server, *more):
    return ["mail", "send", str(roster), "--from", FROM, "--smtp", server,
            "--return-by", "2026-12-11", *more]  # fmt: skip


def test_dry_run_sends_nothing(roster, smtp_server):
    server, recorder = smtp_server
    result = CliRunner().invoke(cli, send_args(roster, server))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Would send to head@stmarys.example: {subject(SAINT)} [{MARYS}]",
        f"Would send to Pennaeth <pennaeth@llyn.example>: {subject(LLYN_NAME)} [{LLYN}]",
        f"Would send to rejected@rowan.example: {subject('Rowan Academy')} "
        "[Rowan-Academy_lppa_2026-27_autumn.xlsx]",
        "No message for 1 setting (contact it another way):",
        "  Oak School (Oak-School_lppa_2026-27_autumn.xlsx): no contact_email in the roster",
        f"Dry run: nothing was sent. Add --send to send 3 messages through {server}.",
    ]  # fmt: skip
    assert recorder.received == []
    assert not (roster / "mail-log.csv").exists()


def test_a_log_that_cannot_be_kept_stops_before_sending(roster, smtp_server, tmp_path):
    """If what was sent cannot be recorded, a re-run would send a school the message twice."""
    server, recorder = smtp_server
    foreign = tmp_path / "budget.csv"
    foreign.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(cli, send_args(roster, server, "--send", "--log", str(foreign)))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {foreign}: is not a mail log written by awardbooks (its "
        "columns differ); choose another --log\n"
    )
    assert foreign.read_text(encoding="utf-8") == "a,b\n1,2\n"
    result = CliRunner().invoke(
        cli, send_args(roster, server, "--send", "--log", "/proc/awardbooks-log.csv")
    )
    assert result.exit_code == 1
    assert result.output.startswith(
        "Error: /proc/awardbooks-log.csv: the mail log cannot be written here ("
    )
    assert recorder.received == []


def test_send_through_smtp_reports_a_failure_and_sends_the_rest(roster, smtp_server, tmp_path):
    server, recorder = smtp_server
    log = tmp_path / "sent.csv"
    result = CliRunner().invoke(cli, send_args(roster, server, "--send", "--log", str(log)))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Sent to head@stmarys.example: {subject(SAINT)} [{MARYS}]"
    assert lines[1] == f"Sent to Pennaeth <pennaeth@llyn.example>: {subject(LLYN_NAME)} [{LLYN}]"
    assert lines[2] == (
        f"FAILED to rejected@rowan.example: {subject('Rowan Academy')} "
        "[Rowan-Academy_lppa_2026-27_autumn.xlsx]: rejected@rowan.example refused "
        "(550 5.1.1 no such mailbox here)"
    )
    assert lines[-1] == f"Sent 2, failed 1, skipped 0; logged in {log}."
    assert [(frm, to) for frm, to, _ in recorder.received] == [
        ("office@la.example", ["head@stmarys.example"]),
        ("office@la.example", ["pennaeth@llyn.example"]),
    ]
    received = [parse(content) for _, _, content in recorder.received]
    assert [m["Subject"] for m in received] == [subject(SAINT), subject(LLYN_NAME)]
    assert [m["From"] for m in received] == [FROM, FROM]
    assert all("X-Unsent" not in m and m["Date"] and m["Message-ID"] for m in received)
    attached = [list(m.iter_attachments()) for m in received]
    assert [[(a.get_filename(), a.get_content_type()) for a in x] for x in attached] == [
        [(MARYS, XLSX)],
        [(LLYN, XLSX)],
    ]
    assert attached[1][0].get_content() == (roster / LLYN).read_bytes()
    with log.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["outcome"], r["to"], r["file"]) for r in rows] == [
        ("sent", "head@stmarys.example", MARYS),
        ("sent", "Pennaeth <pennaeth@llyn.example>", LLYN),
        ("failed", "rejected@rowan.example", "Rowan-Academy_lppa_2026-27_autumn.xlsx"),
    ]
    assert rows[2]["detail"] == "rejected@rowan.example refused (550 5.1.1 no such mailbox here)"
    for row in rows:
        stamp = dt.datetime.fromisoformat(row["time"])
        assert stamp.tzinfo is not None
        assert abs(dt.datetime.now(dt.UTC) - stamp) < dt.timedelta(minutes=5)
    # sending again skips what the log shows as sent, and retries the failure
    again = CliRunner().invoke(cli, send_args(roster, server, "--send", "--log", str(log)))
    assert again.output.splitlines()[0] == (
        f"Skipped to head@stmarys.example: {subject(SAINT)} [{MARYS}]: already sent on "
        f"{rows[0]['time']} (see sent.csv)"
    )
    assert again.output.splitlines()[-1] == f"Sent 0, failed 1, skipped 2; logged in {log}."
    assert len(recorder.received) == 2


def test_send_logs_in_with_a_prompted_password(roster, smtp_server):
    server, recorder = smtp_server
    args = send_args(roster, server, "--user", "la-office", "--send")
    result = CliRunner().invoke(cli, args, input="s3cret pass\n")
    assert result.exit_code == 1, result.output  # Rowan's address is still refused
    assert result.output.startswith("Password for la-office at 127.0.0.1: \nSent to head@")
    assert "s3cret" not in result.output
    assert recorder.logins == [(b"la-office", b"s3cret pass")]
    assert len(recorder.received) == 2
    wrong = CliRunner().invoke(
        cli, send_args(roster, server, "--user", "la-office", "--send", "--resend"), input="x\n"
    )
    assert wrong.exit_code == 1
    assert wrong.output.splitlines()[-1] == (
        f"Error: the mail server {server} refused the user name or password for la-office "
        "(535 5.7.8 Authentication credentials invalid); nothing was sent"
    )
    assert len(recorder.received) == 2


def test_send_goes_on_after_the_server_hangs_up(roster, smtp_server):
    server, recorder = smtp_server
    recorder.hang_up_on = b"St Mary"
    result = mail_send.send(roster, from_addr=FROM, smtp=server, return_by="2026-12-11",
                       really_send=True)  # fmt: skip
    assert [(o.outcome, o.detail) for o in result.outcomes] == [
        ("failed", "421 4.3.2 service shutting down, try again later"),
        ("sent", ""),
        ("failed", "rejected@rowan.example refused (550 5.1.1 no such mailbox here)"),
    ]
    assert [to for _, to, _ in recorder.received] == [["pennaeth@llyn.example"]]


@pytest.fixture
def tls_server(tmp_path):
    """A loopback SMTP server offering STARTTLS with a self-signed certificate for 127.0.0.1,
    which requires TLS before logging in."""
    import shutil
    import ssl
    import subprocess

    from aiosmtpd.controller import Controller

    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    recorder = Recorder()
    controller = Controller(
        recorder, hostname="127.0.0.1", port=free_port(), tls_context=context,
        authenticator=recorder.authenticate,
    )  # fmt: skip
    controller.start()
    try:
        yield f"127.0.0.1:{controller.port}", recorder, cert
    finally:
        controller.stop()


def test_starttls_checks_the_certificate(roster, tls_server, monkeypatch):
    import ssl

    server, recorder, cert = tls_server
    args = send_args(roster, server, "--starttls", "--user", "la-office", "--send")
    untrusted = CliRunner().invoke(cli, args, input="s3cret pass\n")
    assert untrusted.output.splitlines()[-1] == (
        f"Error: the secure connection to {server} failed (CERTIFICATE_VERIFY_FAILED); "
        "nothing was sent"
    )
    assert recorder.logins == []
    trusting = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda: trusting(cafile=str(cert)))
    trusted = CliRunner().invoke(cli, args, input="s3cret pass\n")
    assert trusted.output.splitlines()[-1].startswith("Sent 2, failed 1, skipped 0;")
    assert recorder.logins == [(b"la-office", b"s3cret pass")]
    assert len(recorder.received) == 2


def test_starttls_not_offered(roster, smtp_server):
    server, recorder = smtp_server
    result = CliRunner().invoke(cli, send_args(roster, server, "--starttls", "--send"))
    assert result.output == (
        f"Error: the mail server {server} does not offer STARTTLS, check --smtp; nothing was sent\n"
    )
    assert recorder.received == []


def test_send_refusals_before_anything_is_sent(roster):
    runner = CliRunner()
    clear = runner.invoke(
        cli, send_args(roster, "smtp.example.org:587", "--user", "me", "--send"), input="pw\n"
    )
    assert clear.output.splitlines()[-1] == (
        "Error: --user without --starttls would send your password to smtp.example.org "
        "unencrypted; add --starttls (most servers use port 587 for it)"
    )
    bad = runner.invoke(cli, send_args(roster, "smtp.example.org"))
    assert bad.output == (
        "Error: --smtp 'smtp.example.org': give the mail server as HOST:PORT, like "
        "smtp.example:587\n"
    )
    port = free_port()  # nothing listens there
    down = runner.invoke(cli, send_args(roster, f"127.0.0.1:{port}", "--send"))
    assert down.exit_code == 1
    assert down.output == (
        f"Error: cannot connect to the mail server 127.0.0.1:{port} (Connection refused), "
        "check --smtp; nothing was sent\n"
    )


# ------------------------------------------------------------------------------ email in

OBJ1 = {"1.1": "Green", "1.2": "Green", "1.3": "Amber", "1.4": "Red"}  # 62.5 %
WORKBOOKS = ("Ash Primary", "Beech Academy", "Birch School", "Cedar School", "Damson Infants",
             "Elm Junior", "Fir Tree Primary", "Hazel Nursery")  # fmt: skip


def reply(sender, subject_, date, attachments=(), text="Here is our return."):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"], msg["Date"] = sender, FROM, subject_, date
    msg.set_content(text)
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


@pytest.fixture
def inbox(tmp_path, frameworks):
    """A folder of saved replies, the ways schools send their returns."""
    made = tmp_path / "made"
    books = {
        name: make_workbook(frameworks["lppa"], made, name, urn=f"20000{n}", ratings=OBJ1)
        for n, name in enumerate(WORKBOOKS)
    }
    data = {name: path.read_bytes() for name, path in books.items()}
    files = {name: path.name for name, path in books.items()}
    folder = tmp_path / "inbox"
    folder.mkdir()

    def att(name):
        return (files[name], data[name], XLSX)

    pdf = ("letter.pdf", b"%PDF-1.4 a covering letter", "application/pdf")
    msg = reply("Ash Head <head@ash.example>", "Re: our return", "Mon, 02 Nov 2026 09:15:00 +0000",
                [att("Ash Primary"), pdf])  # fmt: skip
    (folder / "reply.eml").write_bytes(msg.as_bytes())
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"returns/{files['Beech Academy']}", data["Beech Academy"])
        zf.writestr(files["Birch School"], data["Birch School"])
        zf.writestr("notes.txt", "two returns")
    msg = reply("Trust Office <office@trust.example>", "Two returns",
                "Tue, 03 Nov 2026 14:00:00 +0100",
                [("returns.zip", archive.getvalue(), "application/zip")])  # fmt: skip
    (folder / "zipped.eml").write_bytes(msg.as_bytes())
    inner = reply("Cedar Head <head@cedar.example>", "Our autumn return",
                  "Wed, 04 Nov 2026 08:00:00 +0000", [att("Cedar School")])  # fmt: skip
    outer = reply("Deputy <deputy@cedar.example>", "Fwd: Our autumn return",
                  "Thu, 05 Nov 2026 10:30:00 +0000",
                  text="Forwarding the head's return.")  # fmt: skip
    outer.add_attachment(inner)
    (folder / "forwarded.eml").write_bytes(outer.as_bytes())
    box = mailbox.mbox(folder / "exported.mbox")
    box.add(reply("damson@school.example", "Damson return", "Fri, 06 Nov 2026 11:00:00 +0000",
                  [att("Damson Infants")], text="From the office: the return.\n"))  # fmt: skip
    box.add(reply("elm@school.example", "Elm return", "Fri, 06 Nov 2026 12:00:00 +0000",
                  [att("Elm Junior")]))  # fmt: skip
    box.close()
    nothing = reply("oak@school.example", "Forgot the attachment",
                    "Sat, 07 Nov 2026 09:00:00 +0000",
                    [("logo.png", b"\x89PNG\r\n\x1a\n", "image/png")])  # fmt: skip
    (folder / "nothing.eml").write_bytes(nothing.as_bytes())
    hazel = message_tree("Hazel's return", "Hazel Head", "head@hazel.example",
                         dt.datetime(2026, 11, 8, 9, 0, tzinfo=dt.UTC),
                         [(files["Hazel Nursery"], data["Hazel Nursery"])],
                         embedded=True)  # fmt: skip
    (folder / "outlook.msg").write_bytes(
        outlook_msg(
            "Returns from Fir and Hazel",
            "Fir Office",
            "office@fir.example",
            dt.datetime(2026, 11, 9, 16, 45, tzinfo=dt.UTC),
            [(files["Fir Tree Primary"], data["Fir Tree Primary"]), hazel],
        )  # fmt: skip
    )
    return folder, files


def test_analyse_saved_emails(inbox, tmp_path):
    folder, files = inbox
    run = api.analyse(  # about saved emails: the returns rate a few KPIs each
        [folder], out=None, data_dir=tmp_path / "data", completion_threshold=0
    )
    with (tmp_path / "data" / "returns.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    got = [
        (r["file"].removeprefix(f"{folder}/"), r["status"], r["setting"], r["email_from"],
         r["email_date"], r["email_subject"], r["errors"].replace(f"{folder}/", ""))
        for r in rows
    ]  # fmt: skip
    cedar = ("Deputy <deputy@cedar.example>", "2026-11-05T10:30:00+00:00",
             "Fwd: Our autumn return")  # fmt: skip
    trust = ("Trust Office <office@trust.example>", "2026-11-03T14:00:00+01:00", "Two returns")
    fir = ("Fir Office <office@fir.example>", "2026-11-09T16:45:00+00:00",
           "Returns from Fir and Hazel")  # fmt: skip
    assert got == [
        (f"exported.mbox!message 1!{files['Damson Infants']}", "accepted", "Damson Infants",
         "damson@school.example", "2026-11-06T11:00:00+00:00", "Damson return", ""),
        (f"exported.mbox!message 2!{files['Elm Junior']}", "accepted", "Elm Junior",
         "elm@school.example", "2026-11-06T12:00:00+00:00", "Elm return", ""),
        (f"forwarded.eml!Our autumn return.eml!{files['Cedar School']}", "accepted",
         "Cedar School", *cedar, ""),
        ("nothing.eml", "rejected", "", "oak@school.example", "2026-11-07T09:00:00+00:00",
         "Forgot the attachment", "nothing.eml: the message has no workbook attached"),
        (f"outlook.msg!{files['Fir Tree Primary']}", "accepted", "Fir Tree Primary", *fir, ""),
        (f"outlook.msg!Hazel's return!{files['Hazel Nursery']}", "accepted", "Hazel Nursery",
         *fir, ""),
        (f"reply.eml!{files['Ash Primary']}", "accepted", "Ash Primary",
         "Ash Head <head@ash.example>", "2026-11-02T09:15:00+00:00", "Re: our return", ""),
        (f"zipped.eml!returns.zip!returns/{files['Beech Academy']}", "accepted",
         "Beech Academy", *trust, ""),
        (f"zipped.eml!returns.zip!{files['Birch School']}", "accepted", "Birch School",
         *trust, ""),
    ]  # fmt: skip
    overall = run.consolidation.scores.query("group_id == 'ALL'")
    assert sorted(overall["setting"]) == sorted(WORKBOOKS)
    assert set(overall["score_pct"]) == {62.5}


def test_emails_read_in_parallel_keep_their_source(inbox, monkeypatch):
    folder, _files = inbox
    serial = api.consolidate([folder], jobs=1).returns
    monkeypatch.setattr(consolidate, "PARALLEL_FROM", 1)
    parallel = api.consolidate([folder], jobs=2).returns
    assert parallel.equals(serial)
    assert (serial["email_subject"] != "").all()


def test_check_a_saved_email(inbox):
    folder, files = inbox
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", str(folder / "zipped.eml"), "--completion-threshold", "0"])
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines() == [
        f"{folder}/zipped.eml!returns.zip!returns/{files['Beech Academy']}: accepted (Leading "
        "Parent Partnership Award, Beech Academy; 4 of 56 rated, 7 %; 0 errors, 0 warnings)",
        f"{folder}/zipped.eml!returns.zip!{files['Birch School']}: accepted (Leading Parent "
        "Partnership Award, Birch School; 4 of 56 rated, 7 %; 0 errors, 0 warnings)",
    ]
    empty = runner.invoke(cli, ["check", str(folder / "nothing.eml")])
    assert empty.exit_code == 1
    assert empty.output.splitlines() == [
        f"{folder}/nothing.eml: rejected (unrecognised; 1 error, 0 warnings)",
        "  error: the message has no workbook attached",
    ]


def units(path):
    return [
        (name.removeprefix(f"{path.parent}/"), data.decode() if where is None else len(data))
        for name, where, data in mailin.mail_units(path, analysis.RETURN_EXTS)
    ]


def nest(levels: int, workbook: tuple[str, bytes, str]) -> EmailMessage:
    msg = reply("a@b.example", "level 0", "Mon, 02 Nov 2026 09:00:00 +0000", [workbook])
    for level in range(1, levels + 1):
        outer = reply("a@b.example", f"level {level}", "Mon, 02 Nov 2026 09:00:00 +0000")
        outer.add_attachment(msg)
        msg = outer
    return msg


def test_nesting_size_and_format_limits(tmp_path, monkeypatch):
    book = ("a.xlsx", b"PK not really", XLSX)
    ok = tmp_path / "two.eml"
    ok.write_bytes(nest(2, book).as_bytes())
    assert units(ok) == [("two.eml!level 1.eml!level 0.eml!a.xlsx", 13)]
    deep = tmp_path / "three.eml"
    deep.write_bytes(nest(3, book).as_bytes())
    assert units(deep) == [
        ("three.eml!level 2.eml!level 1.eml!level 0.eml", "this is nested more than 3 levels "
         "deep in archives and saved messages, so it was not opened; save the workbook itself "
         "and analyse that"),
    ]  # fmt: skip
    broken = tmp_path / "broken.eml"
    broken.write_bytes(
        reply(
            "a@b.example", "zip", "", [("r.zip", b"PK\x03\x04 cut", "application/zip")]
        ).as_bytes()
    )
    [(name, reason)] = units(broken)
    assert name == "broken.eml!r.zip" and reason.startswith("the zip archive is damaged")
    monkeypatch.setattr(container, "MAX_MEMBER", 1024 * 1024)
    big = tmp_path / "big.eml"
    big.write_bytes(
        reply("a@b.example", "big", "", [("a.xlsx", bytes(2_000_000), XLSX)]).as_bytes()
    )
    assert units(big) == [
        ("big.eml", "the file is 2 MB, larger than any message of returns should be (1 MB); "
         "save the workbooks from it and analyse those"),
    ]  # fmt: skip
    fake = tmp_path / "fake.msg"
    fake.write_bytes(b"From: a@b.example\n\nnot Outlook")
    assert units(fake) == [
        ("fake.msg", "this is not an Outlook message (.msg) whatever its name; save the email "
         "again, or save it as .eml"),
    ]  # fmt: skip
    damaged = tmp_path / "damaged.msg"
    damaged.write_bytes(outlook_msg("s", "n", "a@b.example", dt.datetime.now(dt.UTC), [])[:600])
    assert units(damaged)[0][1].startswith("the Outlook message is damaged (")
    tnef = tmp_path / "tnef.eml"
    tnef.write_bytes(reply("a@b.example", "rtf", "", [("winmail.dat", b"\x78\x9f\x3e\x22",
                     "application/ms-tnef")]).as_bytes())  # fmt: skip
    assert units(tnef) == [
        ("tnef.eml", "the message has no workbook attached (its attachments are packed in "
         "winmail.dat, Outlook's rich-text format): ask the sender to send the workbook again "
         "in an HTML or plain-text email"),
    ]  # fmt: skip
    empty = tmp_path / "empty.mbox"
    empty.write_bytes(b"")
    assert units(empty) == [
        ("empty.mbox", "the mailbox holds no messages; export the folder with the returns")
    ]


def test_find_inputs_finds_saved_emails(tmp_path):
    apple = tmp_path / "Returns.mbox"  # Apple Mail's export: a folder holding a file "mbox"
    apple.mkdir()
    for name in ("a.eml", "b.msg", "c.mbox", "d.txt", ".hidden.eml", "mbox", "Returns.mbox/mbox",
                 "Returns.mbox/Info.plist"):  # fmt: skip
        (tmp_path / name).write_bytes(b"x")
    found = [str(p.relative_to(tmp_path)) for p in analysis.find_inputs([tmp_path])]
    assert found == ["Returns.mbox/mbox", "a.eml", "b.msg", "c.mbox"]
    (apple / "mbox").write_bytes(b"From a@b.example Mon Nov  2 09:00:00 2026\nSubject: hi\n\nhi\n")
    assert units(apple / "mbox") == [("mbox!message 1", mailin.NO_WORKBOOK)]


def test_library_errors_are_awardbooks_errors(tmp_path):
    assert issubclass(mail.MailError, AwardbooksError)
    with pytest.raises(mail.MailError, match=r"has no manifest.csv"):
        mail.write_drafts(tmp_path, None, tmp_path / "d")


def test_readme_shows_the_default_template_and_the_limits():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    template = mail.DEFAULT_TEMPLATE.read_text(encoding="utf-8")
    assert f"```text\n{template}```" in readme
    mib = 1024 * 1024
    assert (
        f"a saved message of up to {container.MAX_MEMBER // mib} MB, a mailbox of up to "
        f"{container.MAX_UNCOMPRESSED // mib} MB, and at most {container.MAX_MEMBERS:,} "
        "attachments per message." in " ".join(readme.split())
    )
