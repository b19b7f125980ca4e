"""Command line: the only place that touches argv, the environment, stdout and exit codes.

Exit status: 0 nothing failing at or above --fail-on; 1 something is; 2 input or usage
error (every problem printed as file:line:col: path: message); 3 internal error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand

from auditor import teardown
from auditor.cli_history import HistoryOpt
from auditor.cli_history import diff as diff_command
from auditor.cli_history import history as history_command
from auditor.cli_import import import_app
from auditor.cli_sign import sign as sign_command
from auditor.cli_sign import verify as verify_command
from auditor.errors import InputError
from auditor.result import AuditResult, Severity

if TYPE_CHECKING:
    from auditor.project_file import ProjectSettings
    from auditor.report import ReportOptions

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
DISTRIBUTION = "ai-infra-auditor"

app = typer.Typer(
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Audit AI infrastructure inventories against GDPR, CCPA/CPRA, security and capacity rules.",
)
frameworks_app = typer.Typer(
    no_args_is_help=True, rich_markup_mode=None, help="Frameworks and which requirements the rules cover."
)
rules_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None, help="List and explain the loaded rules.")
app.add_typer(rules_app, name="rules")
app.add_typer(frameworks_app, name="frameworks")
app.add_typer(import_app, name="import")


# The severities, least severe first, and `none` (never fail): derived so that it cannot drift.
FailOn = StrEnum("FailOn", [*((s.name, s.value) for s in Severity), ("none", "none")])  # type: ignore[misc]


class CoverageFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"


class SchemaName(StrEnum):
    inventory = "inventory"
    policy = "policy"
    results = "results"


class _WordsArgument(TyperArgument):
    """An argument whose help shows its metavar (PATH) without typer's type tag (<list[Path]>)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None


class _WordsCommand(TyperCommand):
    """A command whose help names every argument in words."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.__class__ = _WordsArgument


PathsArg = Annotated[list[Path], typer.Argument(help="Inventory files or folders.", show_default=False, metavar="PATH")]
AuditPathsArg = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Inventory files or folders [default: the paths of .auditor.yaml].", show_default=False, metavar="PATH"
    ),
]
PoliciesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--policies",
        metavar="DIR",
        show_default=False,
        help="A folder of rule packs (and frameworks/) added to the bundled ones; repeatable.",
    ),
]
NoBundledOpt = Annotated[
    bool, typer.Option("--no-bundled-policies", help="Use only the --policies folders, not the bundled packs.")
]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse the YAML files and compile the rules again, not taking them from $XDG_CACHE_HOME/ai-infra-auditor.",
    ),
]


def _cache_dir(no_cache: bool) -> Path | None:
    from auditor.inventory.parse_cache import default_cache_dir

    return None if no_cache else default_cache_dir()


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _input_failure(exc: InputError) -> typer.Exit:
    for issue in exc.issues:
        _err(str(issue))
    count = len(exc.issues)
    _err(f"error: {count} input problem{'s' if count != 1 else ''}; nothing was audited")
    return typer.Exit(EXIT_INPUT)


def _policy_folders(extra: list[Path] | None, no_bundled: bool) -> list[Path]:
    """The bundled packs first, then each --policies folder; only the latter with --no-bundled-policies."""
    from auditor.policy.loader import default_policies_dir

    if no_bundled and not extra:
        raise typer.BadParameter("give at least one --policies DIR", param_hint="--no-bundled-policies")
    return list(extra or []) if no_bundled else [default_policies_dir(), *(extra or [])]


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"{DISTRIBUTION} {version(DISTRIBUTION)}")
        raise typer.Exit()


def _parse_date(text: str | None) -> date:
    from auditor.dates import parse_iso_date

    if text is None:
        return date.today()
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r}: {exc}", param_hint="--as-of") from None


def _formats(text: str) -> list[str]:
    from auditor.report import REPORTERS

    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in names if name not in REPORTERS]
    if unknown or not names:
        known = ", ".join(REPORTERS)
        raise typer.BadParameter(
            f"unknown format {', '.join(unknown) or text!r}; choose from {known}", param_hint="--format"
        )
    return sorted(set(names), key=names.index)


@app.callback()
def _root(  # the options of `auditor` itself, before any command
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the name and version, then exit."
        ),
    ] = False,
) -> None:
    pass


@app.command(cls=_WordsCommand)
def validate(paths: PathsArg, no_cache: NoCacheOpt = False) -> None:
    """Check inventory files: syntax, schema, duplicate ids and references."""
    from auditor.inventory.loader import load_inventory
    from auditor.inventory.parse_cache import ParseCache

    folder = _cache_dir(no_cache)
    try:
        inventory = load_inventory(paths, cache=ParseCache(folder) if folder is not None else None)
    except InputError as exc:
        raise _input_failure(exc) from None
    typer.echo(f"valid: {len(inventory.assets)} assets in {len(inventory.files)} file(s)")


@app.command(cls=_WordsCommand)
def audit(
    paths: AuditPathsArg = None,
    policies: PoliciesOpt = None,
    no_bundled: NoBundledOpt = False,
    waivers: Annotated[Path | None, typer.Option(metavar="FILE", help="Waivers file (YAML or JSON).")] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="A previous results.json or OSCAL assessment-results.json: only findings new since it fail the gate.",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Config file: rule parameters, disabled rules.")
    ] = None,
    responses: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="Management responses (YAML or JSON): owner, due date, response and status per finding "
            "fingerprint, merged into the reports (docs/responses.md).",
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="DATE", help="Audit date YYYY-MM-DD [default: today].")
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMATS",
            help="Comma-separated: json, sarif, junit, markdown, csv, html, pdf, oscal [default: json,sarif].",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Output folder; its reports are replaced as one set [default: reports]."),
    ] = None,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            metavar="SEVERITY",
            help="Lowest severity that makes the exit status 1: info, low, medium, high, critical or none "
            "[default: high].",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal summary.")] = False,
    no_cache: NoCacheOpt = False,
    summary: Annotated[
        bool | None,
        typer.Option(
            "--summary/--no-summary",
            help="Print the summary or not [default: on; plain text when stdout is not a terminal].",
        ),
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Folder that file names in the reports are relative to, the SARIF source root "
            "[default: the git work tree holding the working folder, else the working folder].",
        ),
    ] = None,
    sarif_include_undecided: Annotated[
        bool,
        typer.Option("--sarif-include-undecided", help="Write NOT_EVALUABLE results to the SARIF too (kind review)."),
    ] = False,
    sarif_max_results: Annotated[
        int,
        typer.Option(
            "--sarif-max-results",
            metavar="N",
            min=1,
            help="At most N SARIF results, the most severe first; the run properties count the rest.",
        ),
    ] = 5000,
    csv_bom: Annotated[
        bool, typer.Option("--csv-bom", help="Start findings.csv with a byte-order mark (for Excel).")
    ] = False,
    docs_url: Annotated[
        str | None,
        typer.Option(
            "--docs-url",
            metavar="URL",
            help="Where docs/rules.md is published: SARIF rules link to their section (helpUri) "
            "[default: the package's Documentation URL + /rules.md; none: no links].",
        ),
    ] = None,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty", help="Audit even with no assets or no rule in force (the reports say so); else exit 2."
        ),
    ] = False,
    record: Annotated[
        bool, typer.Option("--record", help="Store the run in the history database (see 'auditor history').")
    ] = False,
    history: HistoryOpt = Path("reports/history.db"),
    waiver_max_days: Annotated[
        int,
        typer.Option("--waiver-max-days", metavar="DAYS", min=1, help="Longest a waiver may last; longer is exit 2."),
    ] = 365,
    waiver_warning_days: Annotated[
        int,
        typer.Option(
            "--waiver-warning-days", metavar="DAYS", min=0, help="Warn about waivers expiring within DAYS of the audit."
        ),
    ] = 30,
    no_config_discovery: Annotated[
        bool,
        typer.Option(
            "--no-config-discovery", help="Ignore .auditor.yaml (working folder, else the git repository's top)."
        ),
    ] = False,
) -> None:
    """Audit inventories and write the reports; the exit status gates CI.

    Settings not given as options come from .auditor.yaml when there is one (a note names it).
    """
    from auditor.engine import AuditRequest, run_audit
    from auditor.gc_pause import collector_paused
    from auditor.report import OUTPUT_FILES, ReporterUnavailable, ReportOptions, outputs
    from auditor.report.write import publish

    project = None if no_config_discovery else _project_settings()
    if project is not None:
        paths = paths or project.paths
        policies = policies or project.policies or None
        config = config or project.config
        waivers = waivers or project.waivers
        baseline = baseline or project.baseline
        output_format = output_format or (",".join(project.formats) if project.formats else None)
        out = out or project.out
    if not paths:
        raise typer.BadParameter("give at least one inventory file or folder (or paths: in .auditor.yaml)")
    gate = fail_on.value if fail_on is not None else (project.fail_on if project and project.fail_on else "high")
    output_format = output_format or "json,sarif"
    out = out or Path("reports")
    day = _parse_date(as_of)
    root = root if root is not None else _source_root(Path.cwd())
    generated_at, by_clock = _generation_time()
    options = ReportOptions(
        fail_on=None if gate == "none" else Severity(gate),
        source_root=root.resolve().as_posix(),
        sarif_include_undecided=sarif_include_undecided,
        sarif_max_results=sarif_max_results,
        csv_bom=csv_bom,
        generated_at=generated_at,
        generated_by_clock=by_clock,
        docs_url=docs_url if docs_url is not None else _packaged_docs_url(),
    )
    formats = _formats(output_format)
    charts = not {"html", "pdf"}.isdisjoint(formats)  # the formats that draw the flow map and trend charts
    try:  # every requested format must be available before anything is audited or written
        renderers = {file: render for name in formats for file, render in outputs(name).items()}
    except ReporterUnavailable as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    request = AuditRequest(
        paths,
        _policy_folders(policies, no_bundled),
        day,
        config=config,
        waivers=waivers,
        baseline=baseline,
        responses=responses,
        allow_empty=allow_empty,
        root=root,
        waiver_max_days=waiver_max_days,
        waiver_warning_days=waiver_warning_days,
        cache_dir=_cache_dir(no_cache),
        flow_map=charts,
    )
    # The collector stays paused to the exit status: the summary and the gate sort and count the
    # findings, and a full collection over every asset and finding there cost 1.5 s at 100k.
    with collector_paused():
        with _progress(enabled=sys.stderr.isatty() and not quiet) as on_stage:
            try:
                result = run_audit(request, on_stage)
            except InputError as exc:
                raise _input_failure(exc) from None
            untouched = f"the previous reports in {out} were left untouched"
            if record:
                options = _compare_with_history(options, history, result, charts)
            on_stage("rendering the reports")
            try:  # rendered before any is written (JSON, SARIF: streamed into the staging folder by publish)
                reports = {file: render(result, options) for file, render in renderers.items()}
            except Exception:
                _err(f"note: a report could not be rendered; {untouched}")
                raise
            try:
                publish(out, reports, OUTPUT_FILES, on_stage)
            except OSError as exc:
                _err(f"error: cannot write the reports to {out}: {exc.strerror or exc}; {untouched}")
                raise typer.Exit(EXIT_INPUT) from None
            except Exception:  # a streamed report's renderer failed: the folder gets the whole set or none
                _err(f"note: a report could not be rendered; {untouched}")
                raise
            written = [out / name for name in reports]
            if record:
                on_stage("recording the run")
                _record(history, result)
        show = (True if summary is None else summary) and not quiet
        if show and sys.stdout.isatty():
            from auditor.console import print_summary

            print_summary(result, written, gate)
        elif show:  # a CI log or a pipe: plain lines, no table to fold, no rich to import
            from auditor.summary_text import summary_lines

            sys.stdout.write("".join(f"{line}\n" for line in summary_lines(result, written, gate)))
        raise typer.Exit(_gate(result, gate))


def _project_settings() -> ProjectSettings | None:
    """The discovered .auditor.yaml, named on stderr; its problems are input errors (exit 2)."""
    from auditor import project_file
    from auditor.report import REPORTERS

    found = project_file.find(Path.cwd())
    if found is None:
        return None
    try:
        settings = project_file.load(found, list(REPORTERS))
    except InputError as exc:
        raise _input_failure(exc) from None
    _err(f"note: settings from {found} (options override them; --no-config-discovery ignores the file)")
    return settings


def _compare_with_history(options: ReportOptions, history: Path, result: AuditResult, charts: bool) -> ReportOptions:
    """With --record, every report says what changed since the last recorded run (a notice), and with
    `charts` (HTML or PDF asked for) the options carry every run for the trend chart."""
    from dataclasses import replace

    from auditor.history.since import since_last_notice
    from auditor.history.store import HistoryError
    from auditor.history.trend import trend
    from auditor.report.json_report import result_dict

    try:
        found = trend(history, result_dict(result), every_run=charts)
    except HistoryError as exc:
        _err(f"error: {exc}; nothing was written")
        raise typer.Exit(EXIT_INPUT) from None
    if found is None:
        return options
    result.notices.append(since_last_notice(found))
    return replace(options, trend=found) if charts else options


def _record(history: Path, result: AuditResult) -> None:
    from auditor.history.store import HistoryError
    from auditor.history.store import record as store
    from auditor.report.json_report import result_dict

    try:
        store(history, result_dict(result))
    except HistoryError as exc:
        _err(f"error: {exc}; the reports were written, the run was not recorded")
        raise typer.Exit(EXIT_INPUT) from None


def _generation_time() -> tuple[str, bool]:
    """When the reports are generated, UTC: SOURCE_DATE_EPOCH (reproducible builds) when set, else the
    clock; True when it is the clock (then only the PDF/HTML show it, see ReportOptions)."""
    from datetime import UTC, datetime

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), True
    try:
        moment = datetime.fromtimestamp(int(epoch), UTC)
    except (ValueError, OverflowError, OSError):
        raise typer.BadParameter(
            f"SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since 1970-01-01 UTC", param_hint="SOURCE_DATE_EPOCH"
        ) from None
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ"), False


def _packaged_docs_url() -> str | None:
    """docs/rules.md under the package's `[project.urls] Documentation`, if it declares one."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "documentation" and url.strip():
            return url.strip().rstrip("/") + "/rules.md"
    return None


def _source_root(folder: Path) -> Path:
    """The top of the git work tree holding `folder` (code scanning resolves paths from there), else `folder`."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str], None]]:
    """A spinner with the current step on stderr when it is a terminal; silence otherwise."""
    if not enabled:
        yield lambda stage: None
        return
    from rich.console import Console

    with Console(stderr=True).status("starting") as status:
        yield lambda stage: status.update(stage)


def _gate(result: AuditResult, fail_on: str) -> int:
    """1 when an unwaived failure (a new one, given a baseline) is at or above `fail_on`, else 0."""
    threshold = None if fail_on == "none" else Severity(fail_on)
    return EXIT_FINDINGS if result.blocking(threshold) else EXIT_OK


@rules_app.command("list", cls=_WordsCommand)
def rules_list(policies: PoliciesOpt = None, no_bundled: NoBundledOpt = False) -> None:
    """List every rule with its pack and severity."""
    from auditor.policy.loader import load_policies

    try:
        loaded = load_policies(_policy_folders(policies, no_bundled))
    except InputError as exc:
        raise _input_failure(exc) from None
    for rule_id, item in loaded.rules.items():
        state = "" if loaded.packs[item.pack].enabled_by_default else " (pack off by default)"
        typer.echo(f"{rule_id:<40} {item.rule.severity.value:<9} {item.pack:<10} {item.rule.title}{state}")


@rules_app.command("show", cls=_WordsCommand)
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="RULE_ID", help="Rule id, see 'auditor rules list'.")],
    policies: PoliciesOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Show one rule: description, rationale, remediation, references and parameters."""
    from auditor.policy.loader import load_policies

    try:
        loaded = load_policies(_policy_folders(policies, no_bundled))
    except InputError as exc:
        raise _input_failure(exc) from None
    item = loaded.rules.get(rule_id)
    if item is None:
        from auditor.suggest import did_you_mean

        _err(f"error: no rule {rule_id!r}{did_you_mean(rule_id, loaded.rules)} (see 'auditor rules list')")
        raise typer.Exit(EXIT_INPUT)
    rule = item.rule
    lines = [
        f"{rule.id}: {rule.title}",
        f"severity: {rule.severity.value}   pack: {item.pack}   file: {item.location.file}",
        "",
        f"Description: {rule.description}",
        f"Rationale: {rule.rationale}",
        f"Remediation: {rule.remediation}",
        "References:",
        *(f"  {framework}: {', '.join(refs)}" for framework, refs in sorted(rule.references.items())),
    ]
    if rule.parameters:
        lines.append("Parameters:")
        lines += [f"  {name} = {spec.default!r}: {spec.description}" for name, spec in rule.parameters.items()]
    if rule.notes:
        lines.append(f"Notes: {rule.notes}")
    typer.echo("\n".join(lines))


def _load_frameworks(policies: list[Path] | None, no_bundled: bool):  # type: ignore[no-untyped-def]
    from auditor.policy.frameworks import load_frameworks
    from auditor.policy.loader import load_policies

    folders = _policy_folders(policies, no_bundled)
    try:
        return load_frameworks(folders, load_policies(folders))
    except InputError as exc:
        raise _input_failure(exc) from None


@frameworks_app.command("list", cls=_WordsCommand)
def frameworks_list(policies: PoliciesOpt = None, no_bundled: NoBundledOpt = False) -> None:
    """List the frameworks with how many requirements are automated, documented or manual."""
    from auditor.policy.frameworks import coverage_counts

    for name, framework in _load_frameworks(policies, no_bundled).items():
        counts = coverage_counts(framework)
        typer.echo(
            f"{name:<20} {len(framework.requirements):>3} requirements: {counts['automated']:>3} automated, "
            f"{counts['documented']:>3} documented, {counts['manual']:>3} manual   {framework.title}"
        )


@frameworks_app.command("coverage", cls=_WordsCommand)
def frameworks_coverage(
    name: Annotated[str, typer.Argument(metavar="FRAMEWORK", help="Framework name, see 'auditor frameworks list'.")],
    output_format: Annotated[
        CoverageFormat, typer.Option("--format", metavar="FORMAT", help="table, markdown or csv.")
    ] = CoverageFormat.table,
    policies: PoliciesOpt = None,
    no_bundled: NoBundledOpt = False,
) -> None:
    """Print the coverage matrix: requirement -> rules -> automated / documented / manual."""
    from auditor.policy.frameworks import render_coverage

    frameworks = _load_frameworks(policies, no_bundled)
    if name not in frameworks:
        from auditor.suggest import did_you_mean

        _err(f"error: no framework {name!r}; choose from {', '.join(frameworks)}{did_you_mean(name, frameworks)}")
        raise typer.Exit(EXIT_INPUT)
    sys.stdout.write(render_coverage(frameworks[name], output_format.value))


@app.command()
def schema(name: Annotated[SchemaName, typer.Argument(help="inventory, policy or results")]) -> None:
    """Print the JSON Schema (draft 2020-12) of the inventory or rule format, or of results.json."""
    from auditor.schemas import shipped

    sys.stdout.write(shipped(name.value))


app.command("history")(history_command)
app.command("diff", cls=_WordsCommand)(diff_command)
app.command("sign", cls=_WordsCommand)(sign_command)
app.command("verify", cls=_WordsCommand)(verify_command)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        _err("interrupted")
        sys.exit(130)
    except Exception as exc:
        _err(f"internal error: {type(exc).__name__}: {exc}")
        _err("this is a bug in auditor; please report it with the command you ran")
        sys.exit(EXIT_INTERNAL)


def run() -> None:
    """The console script: `main`, then an exit that leaves the audit's memory to the operating system."""
    teardown.hold_until_exit()
    try:
        main()
    except SystemExit as exc:
        teardown.leave(exc.code)
    teardown.leave(0)


if __name__ == "__main__":
    run()
