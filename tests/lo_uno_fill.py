"""Fill workbooks through LibreOffice's UNO API; run by the system Python that has ``uno``.

Usage: /usr/bin/python3 lo_uno_fill.py JOB.json  (written by tests.lofill.fill_many)

JOB.json: {"soffice", "profile_url", "pipe", "respect_locks", "timeout", "log", "result",
"jobs": [{"src", "dst", "values": {sheet: {"C7": value}}}]}. Writes {"ok": true, ...} or
{"error": "one line", "job": index} to the "result" file; always ends the soffice it started.
This file must stay importable by the system Python alone (no awardbooks imports).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ADDRESS = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]{0,6})$")
NUMBER_FORMAT_DATE = 2
# LibreOffice error codes that mean the formula text could not be parsed (525 is #NAME?).
SYNTAX_ERRORS = {
    501,
    504,
    507,
    508,
    509,
    510,
    511,
    525,
}  # com.sun.star.util.NumberFormat.DATE (a bit flag)


class FillError(Exception):
    """A one-line message for the caller."""


def _terminate(signum, frame):  # noqa: ARG001
    raise SystemExit(f"stopped by signal {signum}")


def prop(name, value):
    import uno  # noqa: F401  (sets up the com.sun.star import hook)
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start_office(job):
    """Start soffice listening on a private pipe, in this script's process group."""
    log = open(job["log"], "wb")
    cmd = [
        job["soffice"],
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "-env:UserInstallation=" + job["profile_url"],
        "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % job["pipe"],
    ]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log)


def connect(job, proc, deadline):
    """Return the Desktop of the office started by start_office."""
    import uno
    from com.sun.star.connection import NoConnectException

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    url = "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % job["pipe"]
    while True:
        try:
            ctx = resolver.resolve(url)
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except NoConnectException:
            pass
        if proc.poll() is not None:
            raise FillError(
                "LibreOffice exited (code %s) before accepting a connection" % proc.returncode
            )
        if time.monotonic() > deadline:
            raise FillError("LibreOffice did not accept a connection within %g s" % job["timeout"])
        time.sleep(0.05)


def cell_position(sheet_name, address):
    """(column, row), both 0-based, of an A1-style address."""
    m = ADDRESS.match(address.strip())
    if not m:
        raise FillError("%s!%s is not a single cell address like C7" % (sheet_name, address))
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return col - 1, int(m.group(2)) - 1


def date_format_key(doc, cell):
    """Keep a date format the cell already has, else use the built-in ISO YYYY-MM-DD."""
    from com.sun.star.i18n.NumberFormatIndex import DATE_DIN_YYYYMMDD
    from com.sun.star.lang import Locale

    formats = doc.getNumberFormats()
    try:
        if formats.getByKey(cell.NumberFormat).Type & NUMBER_FORMAT_DATE:
            return cell.NumberFormat
    except Exception:
        pass
    # Built-in, so no locale-specific format keywords (JJJJ...) and no [$-409] prefix.
    return formats.getFormatIndex(DATE_DIN_YYYYMMDD, Locale())


def set_cell(doc, cell, value, where):
    if value is None:
        from com.sun.star.sheet.CellFlags import DATETIME, FORMULA, STRING, VALUE

        cell.clearContents(VALUE | DATETIME | STRING | FORMULA)  # like pressing Delete
    elif isinstance(value, str):
        if value.startswith("="):
            cell.setFormula(value)
            if cell.getError() in SYNTAX_ERRORS:  # results like #DIV/0! are a person's right
                raise FillError(
                    "%s: LibreOffice cannot read the formula %s (Err:%d); use English function names "
                    "and ; between arguments" % (where, value, cell.getError())
                )
        else:
            cell.setString(value)
    elif isinstance(value, bool):
        raise FillError("%s: cannot enter True/False" % where)
    elif isinstance(value, (int, float)):
        cell.setValue(value)
    elif isinstance(value, dict) and "date" in value:
        day = dt.date.fromisoformat(value["date"])
        null = doc.NullDate  # 1899-12-30 for files from Excel
        serial = (day - dt.date(null.Year, null.Month, null.Day)).days
        cell.NumberFormat = date_format_key(doc, cell)
        cell.setValue(serial)
    else:
        raise FillError("%s: cannot enter %r" % (where, value))


def fill_one(desktop, item, respect_locks):
    import uno

    src, dst = Path(item["src"]), Path(item["dst"])
    try:
        load = [prop("Hidden", True)]
        if item.get("password"):
            load.append(prop("Password", item["password"]))
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(str(src)), "_blank", 0, tuple(load)
        )
    except Exception as exc:
        raise FillError(
            "Could not open %s: %s"
            % (
                src.name,
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
            )
        )
    if doc is None or not hasattr(doc, "Sheets"):
        if doc is not None:
            doc.close(True)
        raise FillError("Could not open %s as a spreadsheet" % src.name)
    try:
        sheets = doc.Sheets
        for sheet_name, cells in item["values"].items():
            if not sheets.hasByName(sheet_name):
                raise FillError("%s has no sheet named %s" % (src.name, sheet_name))
            sheet = sheets.getByName(sheet_name)
            protected = sheet.isProtected()
            for address, value in cells.items():
                where = "%s!%s" % (sheet_name, address)
                col, row = cell_position(sheet_name, address)
                try:
                    cell = sheet.getCellByPosition(col, row)
                except Exception:
                    raise FillError("%s is outside the sheet" % where)
                if respect_locks and protected and cell.CellProtection.IsLocked:
                    raise FillError("%s is locked" % where)
                set_cell(doc, cell, value, where)
        doc.calculateAll()
        partial = dst.with_name("." + dst.name + ".partial")
        try:
            store = [prop("FilterName", "Calc MS Excel 2007 XML"), prop("Overwrite", True)]
            if item.get("save_password"):
                # what File > Save As, Save with password gives for .xlsx: LibreOffice 7.4
                # writes ECMA-376 Standard encryption (a Password property alone saves it
                # unencrypted; CryptoType Agile fails to write)
                from com.sun.star.beans import NamedValue

                secrets = []
                for key, value in (("OOXPassword", item["save_password"]),
                                   ("CryptoType", "Standard")):
                    named = NamedValue()
                    named.Name, named.Value = key, value
                    secrets.append(named)
                store.append(prop("EncryptionData", uno.Any("[]com.sun.star.beans.NamedValue",
                                                            tuple(secrets))))
            doc.storeToURL(uno.systemPathToFileUrl(str(partial)), tuple(store))
            os.replace(str(partial), str(dst))
        except Exception as exc:
            raise FillError(
                "Could not save %s: %s"
                % (
                    dst,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                )
            )
        finally:
            if partial.exists():
                partial.unlink()
    finally:
        try:
            doc.close(True)
        except Exception:
            doc.dispose()


def group_members():
    """Pids of the other processes in this script's process group (soffice and its children)."""
    me, group, found = os.getpid(), os.getpgrp(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open("/proc/%s/stat" % entry) as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[2]) == group and fields[0] != "Z":  # fields: state, ppid, pgrp, ...
            found.append(int(entry))
    return found


def stop_office(desktop, proc):
    """Ask LibreOffice to quit; kill what is left of it after 10 s."""
    if desktop is not None:
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge is usually disposed as the office quits
    if proc is not None:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if os.getpgrp() == os.getpid():  # only when we lead the group, it is ours alone
        deadline = time.monotonic() + 5
        while group_members() and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in group_members():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def main(argv):
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    result = {"ok": True, "seconds": []}
    signal.signal(signal.SIGTERM, _terminate)
    if os.getpgrp() != os.getpid():
        try:
            os.setpgid(0, 0)  # so stop_office can find every process soffice starts
        except OSError:
            pass
    proc = desktop = None
    index = None
    started = time.monotonic()
    try:
        proc = start_office(job)
        desktop = connect(job, proc, started + float(job["timeout"]))
        result["startup_seconds"] = round(time.monotonic() - started, 3)
        for index, item in enumerate(job["jobs"]):
            t0 = time.monotonic()
            fill_one(desktop, item, job["respect_locks"])
            result["seconds"].append(round(time.monotonic() - t0, 3))
        index = None
    except FillError as exc:
        result = {"error": str(exc), "job": index}
    except BaseException as exc:  # noqa: BLE001  (report anything as one line)
        text = str(exc).strip().splitlines()
        result = {
            "error": "LibreOffice failed: %s%s"
            % (type(exc).__name__, ": " + text[0] if text else ""),
            "job": index,
        }
    finally:
        stop_office(desktop, proc)
    Path(job["result"]).write_text(json.dumps(result), encoding="utf-8")
    sys.stdout.flush()
    # Skip interpreter teardown: pyuno's bridge threads can hang it once the office is gone.
    os._exit(0 if "ok" in result else 1)


if __name__ == "__main__":
    main(sys.argv)
