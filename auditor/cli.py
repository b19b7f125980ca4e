"""Command line: the only place that touches argv, the environment, stdout and exit codes.

Exit status: 0 nothing failing at or above --fail-on; 1 something is; 2 input or usage
error (every problem printed as file:line:col: path: message); 3 internal error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor.errors import InputError
from auditor.result import AuditResult

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
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


class FailOn(StrEnum):
    info = "info"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"
    none = "none"


class CoverageFormat(StrEnum):
    table = "table"
    markdown = "markdown"
    csv = "csv"


class SchemaName(StrEnum):
    inventory = "inventory"
    policy = "policy"


PathsArg = Annotated[
    list[Path], typer.Argument(help="Inventory files or folders.", show_default=False, metavar="PATH...")
]
PoliciesOpt = Annotated[Path | None, typer.Option("--policies", help="Rule packs folder [default: bundled policies/].")]


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def _input_failure(exc: InputError) -> typer.Exit:
    for issue in exc.issues:
        _err(str(issue))
    count = len(exc.issues)
    _err(f"error: {count} input problem{'s' if count != 1 else ''}; nothing was audited")
    return typer.Exit(EXIT_INPUT)


def _policies_dir(option: Path | None) -> Path:
    from auditor.policy.loader import default_policies_dir

    return option or default_policies_dir()


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


@app.command()
def validate(paths: PathsArg) -> None:
    """Check inventory files: syntax, schema, duplicate ids and references."""
    from auditor.inventory.loader import load_inventory

    try:
        inventory = load_inventory(paths)
    except InputError as exc:
        raise _input_failure(exc) from None
    typer.echo(f"valid: {len(inventory.assets)} assets in {len(inventory.files)} file(s)")


@app.command()
def audit(
    paths: PathsArg,
    policies: PoliciesOpt = None,
    waivers: Annotated[Path | None, typer.Option(help="Waivers file (YAML or JSON).")] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="A previous results.json: only findings new since it fail the gate.")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="Config file: rule parameters, disabled rules.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Audit date YYYY-MM-DD [default: today].")] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="Comma-separated: json, sarif, junit, markdown, csv, html, pdf.")
    ] = "json,sarif",
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("reports"),
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Lowest severity that makes the exit status 1.")
    ] = FailOn.high,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No terminal summary.")] = False,
    summary: Annotated[
        bool | None,
        typer.Option("--summary/--no-summary", help="Force the terminal summary on or off [default: on a TTY]."),
    ] = None,
) -> None:
    """Audit inventories and write the reports; the exit status gates CI."""
    from auditor.engine import AuditRequest, run_audit
    from auditor.report import REPORTERS, ReporterUnavailable, renderer
    from auditor.report.write import write_atomic

    day = _parse_date(as_of)
    try:  # every requested format must be available before anything is audited or written
        renderers = {name: renderer(name) for name in _formats(output_format)}
    except ReporterUnavailable as exc:
        _err(f"error: {exc}")
        raise typer.Exit(EXIT_INPUT) from None
    request = AuditRequest(paths, _policies_dir(policies), day, config=config, waivers=waivers, baseline=baseline)
    with _progress(enabled=sys.stderr.isatty() and not quiet) as on_stage:
        try:
            result = run_audit(request, on_stage)
        except InputError as exc:
            raise _input_failure(exc) from None
        written = []
        for name, render in renderers.items():
            target = out / REPORTERS[name][1]
            on_stage(f"writing {target}")
            data = render(result)
            try:
                write_atomic(target, data)
            except OSError as exc:
                _err(f"error: cannot write {target}: {exc.strerror or exc}")
                raise typer.Exit(EXIT_INPUT) from None
            written.append(target)
    show = (sys.stdout.isatty() if summary is None else summary) and not quiet
    if show:
        from auditor.console import print_summary

        print_summary(result, written, fail_on.value)
    raise typer.Exit(_gate(result, fail_on.value))


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
    from auditor.policy.model import Severity

    if fail_on == "none":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    blocking = [
        f
        for f in result.failures()
        if not f.waived and f.baseline_state != "unchanged" and Severity(f.severity).rank >= threshold
    ]
    return EXIT_FINDINGS if blocking else EXIT_OK


@rules_app.command("list")
def rules_list(policies: PoliciesOpt = None) -> None:
    """List every rule with its pack and severity."""
    from auditor.policy.loader import load_policies

    try:
        loaded = load_policies(_policies_dir(policies))
    except InputError as exc:
        raise _input_failure(exc) from None
    for rule_id, item in loaded.rules.items():
        state = "" if loaded.packs[item.pack].enabled_by_default else " (pack off by default)"
        typer.echo(f"{rule_id:<40} {item.rule.severity.value:<9} {item.pack:<10} {item.rule.title}{state}")


@rules_app.command("show")
def rules_show(rule_id: Annotated[str, typer.Argument(help="Rule id.")], policies: PoliciesOpt = None) -> None:
    """Show one rule: description, rationale, remediation, references and parameters."""
    from auditor.policy.loader import load_policies

    try:
        loaded = load_policies(_policies_dir(policies))
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


def _load_frameworks(policies: Path | None):  # type: ignore[no-untyped-def]
    from auditor.policy.frameworks import load_frameworks
    from auditor.policy.loader import load_policies

    folder = _policies_dir(policies)
    try:
        return load_frameworks(folder, load_policies(folder))
    except InputError as exc:
        raise _input_failure(exc) from None


@frameworks_app.command("list")
def frameworks_list(policies: PoliciesOpt = None) -> None:
    """List the frameworks with how many requirements are automated, partly automated or manual."""
    from auditor.policy.frameworks import coverage_counts

    for name, framework in _load_frameworks(policies).items():
        counts = coverage_counts(framework)
        typer.echo(
            f"{name:<20} {len(framework.requirements):>3} requirements: {counts['automated']:>3} automated, "
            f"{counts['partial']:>3} partial, {counts['manual']:>3} manual   {framework.title}"
        )


@frameworks_app.command("coverage")
def frameworks_coverage(
    name: Annotated[str, typer.Argument(help="Framework name, see 'auditor frameworks list'.")],
    output_format: Annotated[
        CoverageFormat, typer.Option("--format", help="table, markdown or csv.")
    ] = CoverageFormat.table,
    policies: PoliciesOpt = None,
) -> None:
    """Print the coverage matrix: requirement -> rules -> automated / partial / manual."""
    from auditor.policy.frameworks import render_coverage

    frameworks = _load_frameworks(policies)
    if name not in frameworks:
        from auditor.suggest import did_you_mean

        _err(f"error: no framework {name!r}; choose from {', '.join(frameworks)}{did_you_mean(name, frameworks)}")
        raise typer.Exit(EXIT_INPUT)
    sys.stdout.write(render_coverage(frameworks[name], output_format.value))


@app.command()
def schema(name: Annotated[SchemaName, typer.Argument(help="inventory or policy")]) -> None:
    """Print the JSON Schema (draft 2020-12) of the inventory or rule format."""
    from auditor.schemas import shipped

    sys.stdout.write(shipped(name.value))


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


if __name__ == "__main__":
    main()
