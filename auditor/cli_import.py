"""`auditor import ...`: generate inventory files from Terraform, Kubernetes and CycloneDX sources.

The commands here only parse arguments, print and choose exit codes; the importers do the work.
Exit status: 0 written; 2 input or usage problem (each printed as file:line:col: path: message,
nothing written), also under --strict when a source holds types the importer does not know.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from auditor.errors import InputError
from auditor.importers.common import Collected

EXIT_INPUT = 2

import_app = typer.Typer(
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Generate inventory files from Terraform plans/states, Kubernetes manifests and CycloneDX ML-BOMs.",
)

OutOpt = Annotated[
    Path, typer.Option("--out", "-o", metavar="DIR", help="Folder the generated inventory file is written to.")
]
OverlayOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--overlay", metavar="FILE", help="Hand-written facts merged into the imported assets by id; repeatable."
    ),
]
StrictOpt = Annotated[
    bool, typer.Option("--strict", help="Fail (exit 2) when the source has types the importer does not know.")
]


def _failure(exc: InputError) -> typer.Exit:
    for issue in exc.issues:
        sys.stderr.write(f"{issue}\n")
    count = len(exc.issues)
    sys.stderr.write(f"error: {count} input problem{'s' if count != 1 else ''}; nothing was written\n")
    return typer.Exit(EXIT_INPUT)


def _write(target: Path, data: bytes) -> None:
    """Replace `target` in one step, so a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(temporary, 0o666 & ~umask)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise


def _run(
    source: str,
    path: Path,
    out: Path,
    overlays: list[Path] | None,
    strict: bool,
    run: Callable[[Path, str], Collected],
) -> None:
    from auditor.inventory.source import display_path

    display = display_path(path)
    try:
        collected = run(path, display)
        if overlays:
            from auditor.importers.overlay import apply_overlays

            apply_overlays(collected, overlays)
        if strict and collected.summary.unknown:
            from auditor.importers.common import unknown_types_error

            raise unknown_types_error(collected, display, source)
    except InputError as exc:
        raise _failure(exc) from None
    target = out / f"{source}-{path.stem if path.is_file() else path.name}.yaml"
    _write(target, collected.render(f"auditor import {source} {display}"))
    count = sum(len(items) for items in collected.assets.values())
    typer.echo(f"wrote {display_path(target)}: {count} asset{'s' if count != 1 else ''}")
    for line in collected.summary.lines():
        typer.echo(line)


@import_app.command("terraform")
def terraform(
    plan: Annotated[Path, typer.Argument(metavar="PLAN_OR_STATE", help="JSON of `terraform show -json`.")],
    out: OutOpt,
    overlay: OverlayOpt = None,
    strict: StrictOpt = False,
) -> None:
    """AWS, Google Cloud and Azure resources of a plan or state -> storage, compute, networks, workloads."""
    from auditor.importers.terraform import import_terraform

    _run("terraform", plan, out, overlay, strict, import_terraform)


@import_app.command("kubernetes")
def kubernetes(
    path: Annotated[
        Path, typer.Argument(metavar="PATH", help="A manifest file, a `kubectl get -o yaml` dump or a folder.")
    ],
    out: OutOpt,
    overlay: OverlayOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Nodes with GPUs, exposed Services and Ingresses, NetworkPolicies, volume claims, GPU workloads."""
    from auditor.importers.kubernetes import import_kubernetes

    _run("kubernetes", path, out, overlay, strict, import_kubernetes)


@import_app.command("cyclonedx")
def cyclonedx(
    bom: Annotated[Path, typer.Argument(metavar="BOM", help="A CycloneDX 1.5-1.7 JSON or XML BOM with ML components.")],
    out: OutOpt,
    overlay: OverlayOpt = None,
    strict: StrictOpt = False,
) -> None:
    """Machine-learning models (model cards and their datasets) and data components -> workloads, datasets."""
    from auditor.importers.cyclonedx import import_cyclonedx

    _run("cyclonedx", bom, out, overlay, strict, import_cyclonedx)
