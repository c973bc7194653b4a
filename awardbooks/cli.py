"""The ``awardbooks`` command: a thin click layer over :mod:`awardbooks.api`."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from awardbooks import __version__
from awardbooks.errors import AwardbooksError

TERMS = ("baseline", "autumn", "spring", "summer")


def friendly(func):
    """Turn library errors into one clean ``Error: ...`` and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except AwardbooksError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # a folder we cannot write to, a full disk, ...
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="awardbooks")
def cli() -> None:
    """Generate locked self-evaluation workbooks for schools, and consolidate the returns."""


@cli.command("frameworks")
@friendly
def frameworks_cmd() -> None:
    """List the built-in frameworks."""
    from awardbooks import api

    rows = [("id", "title", "scale", "groups", "items", "status")]
    for fw in api.frameworks():
        rows.append((fw.id, fw.title, fw.scale, str(fw.groups), str(fw.items), fw.status))
    widths = [min(60, max(len(r[i]) for r in rows)) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell[: widths[i]].ljust(widths[i]) for i, cell in enumerate(row)))


@cli.group("spec")
def spec_group() -> None:
    """Work with framework spec files."""


@spec_group.command("check")
@click.argument("spec_file", type=click.Path(dir_okay=False, path_type=Path))
@friendly
def spec_check(spec_file: Path) -> None:
    """Validate a framework spec and list every problem."""
    from awardbooks import spec

    fw = spec.load(spec_file)
    click.echo(
        f"{spec_file}: OK: {fw.title} (version {fw.version}), {len(fw.groups)} groups, "
        f"{len(fw.items)} items, {fw.status}"
    )


@cli.command("generate")
@click.argument("framework")
@click.option("--setting", help="The setting's (school's) name, for one workbook.")
@click.option("--urn", default="", help="The setting's unique reference number.")
@click.option("--partnership", default="", help="The partnership the setting belongs to.")
@click.option("--local-authority", default="", help="The local authority.")
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CSV with a 'setting' column: one workbook per row, plus manifest.csv.",
)
@click.option("--year", help="Academic year, e.g. 2026-27 (default: the current one).")
@click.option("--term", type=click.Choice(TERMS), default="baseline", show_default=True)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("generated"),
    show_default=True,
    help="Folder to write to.",
)
@click.option("--password", help="Sheet protection password (a deterrent, not security).")
@click.option("--force", is_flag=True, help="Replace workbooks that already exist.")
@friendly
def generate_cmd(
    framework,
    setting,
    urn,
    partnership,
    local_authority,
    roster,
    year,
    term,
    out_dir,
    password,
    force,
) -> None:
    """Generate workbooks for FRAMEWORK (a built-in id or a spec file)."""
    from awardbooks import api

    if roster and setting:
        raise click.UsageError("give --setting or --roster, not both")
    if not roster and not setting:
        raise click.UsageError("give --setting NAME for one workbook, or --roster FILE.csv")
    if roster:
        from awardbooks.generate import read_roster

        count = len(read_roster(roster))
        with click.progressbar(length=count, label="Generating workbooks", show_pos=True) as bar:
            result = api.generate(
                framework,
                roster=roster,
                year=year,
                term=term,
                out_dir=out_dir,
                password=password,
                force=force,
                progress=lambda _p: bar.update(1),
            )
        click.echo(
            f"Wrote {len(result.written)} workbooks to {out_dir}/ and {result.manifest.name}."
        )
        if result.skipped:
            click.echo(f"Kept {len(result.skipped)} existing workbooks (use --force to replace).")
        for warning in result.warnings:
            click.echo(f"Warning: {warning}", err=True)
    else:
        result = api.generate(
            framework,
            setting=setting,
            urn=urn,
            partnership=partnership,
            local_authority=local_authority,
            year=year,
            term=term,
            out_dir=out_dir,
            password=password,
            force=force,
        )
        click.echo(f"Wrote {result.written[0]}")


@cli.command("analyse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("consolidated.xlsx"),
    show_default=True,
    help="The consolidated workbook to write.",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the tidy tables as CSV into this folder.",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The manifest.csv from generate: lists missing and unknown returns.",
)
@click.option(
    "--spec",
    "specs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A spec file for returns of your own frameworks (repeatable).",
)
@click.option("--jobs", type=click.IntRange(1, 64), help="Processes to read with (default: cores).")
@friendly
def analyse_cmd(paths, out, data_dir, manifest, specs, jobs) -> None:
    """Check and consolidate returned workbooks (files, folders or .zip archives)."""
    from awardbooks import api
    from awardbooks.analysis import _units, find_inputs
    from awardbooks.report import summary_lines

    for given in paths:
        if not given.exists():
            raise click.ClickException(f"{given}: no such file or folder")
    inputs = find_inputs(paths)
    total = sum(1 for _ in _units(inputs))
    with click.progressbar(length=total, label="Reading returns", show_pos=True) as bar:
        result = api.analyse(
            paths,
            out=out,
            data_dir=data_dir,
            manifest=manifest,
            specs=specs,
            jobs=jobs,
            progress=lambda _r: bar.update(1),
            inputs=inputs,
        )
    for line in summary_lines(result.consolidation):
        click.echo(line)
    for path in result.written:
        click.echo(f"Wrote {path}")


@cli.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--spec",
    "specs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A spec file, for a workbook of your own framework.",
)
@friendly
def check_cmd(file, specs) -> None:
    """Check one returned workbook before it is sent; exit 1 if it has errors."""
    from awardbooks import api

    record = api.check(file, specs=specs)
    fw = record.framework
    what = f"{fw.title}, {record.get('setting') or 'unknown setting'}" if fw else "unrecognised"
    rated = sum(1 for r in record.ratings.values() if r.label)
    click.echo(
        f"{file}: {record.status} ({what}; {rated} of {len(record.ratings)} rated; "
        f"{len(record.errors)} errors, {len(record.warnings)} warnings)"
    )
    for message in record.errors:
        click.echo(f"  error: {message.removeprefix(str(record.file) + ': ')}")
    for message in record.warnings:
        click.echo(f"  warning: {message.removeprefix(str(record.file) + ': ')}")
    if record.errors:
        raise SystemExit(1)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
