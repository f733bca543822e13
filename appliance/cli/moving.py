"""`loket import smsd`: moving a shop in from Gammu SMSD, Kalkun or playSMS."""

from __future__ import annotations

from .errors import CLIError
from .wiring import load_settings, open_database, prepare_data_dir


def cmd_import_smsd(args) -> int:
    settings = load_settings(args)
    prepare_data_dir(settings)
    open_database(settings)
    from .. import shopdata, smsd_import
    shop = shopdata.live(settings)
    try:
        report = smsd_import.run(args.source, region=shop.default_region, tz=shop.tz, dry_run=args.dry_run)
    except smsd_import.SourceError as exc:
        raise CLIError(str(exc)) from None
    for line in summary(report):
        print(line)
    return 0


def summary(report) -> list[str]:
    """The report in plain lines, as the other verbs print."""
    verb = "would add" if report.dry_run else "added"
    lines = [f"{'dry run, nothing written: ' if report.dry_run else ''}{report.source}",
             f"customers: {report.customers_new} new, {report.customers_updated} updated "
             f"(a name, e-mail or tags), {report.customers_unchanged} unchanged",
             f"messages: {verb} {report.messages_in} received and {report.messages_out} sent; "
             f"{report.multipart_joined} multipart joined ({report.incomplete} with a part missing); "
             f"{report.messages_already} imported before",
             ]
    if report.robots:
        lines.append(f"{report.robots} texts from or to numbers that are no phone kept in the robots' folder")
    if report.refusals:
        lines.append(f"refused as customers: {len(report.refusals)} numbers")
        for refusal in report.refusals[:50]:
            lines.append(f"  {refusal.number}: {refusal.reason} ({refusal.contacts} contacts, "
                         f"{refusal.messages} messages)")
        if len(report.refusals) > 50:
            lines.append(f"  … and {len(report.refusals) - 50} more")
    lines.append(f"took {report.seconds:.1f} s")
    return lines
