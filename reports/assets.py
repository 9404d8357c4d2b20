"""Static files of the HTML reports: the State design system (DSFR) and Vigie's own.

Why fetched at set-up and not committed: the DSFR (CSS, Marianne and Spectral fonts, icons)
is published by the SIG as a registry package under its own terms of use; the repository
keeps only the pinned version and this fetch step. ``make`` runs
``python -m reports.assets fetch`` once; it fills the git-ignored folder
``reports/_vendor/dsfr/`` with the few files the reports use, taken from:

* the npm package ``@gouvfr/dsfr`` (``npm pack``, the reference distribution), when
  ``npm`` is on the PATH;
* otherwise the PyPI wheel of ``django-dsfr`` (``pip download --no-deps``: Django is not
  installed), which ships the same ``dist/`` folder one DSFR version behind.

Every report folder gets a copy (``DIR/dsfr/``), so reports open from disk (``file://``),
without a server and without any CDN. When the DSFR is missing the reports are still
written, in Vigie's plain fallback style, and :func:`copy_assets` says so.

The same step fetches axe-core's own French texts (``locales/fr.json`` of the npm package
``axe-core``, of the very version whose ``axe.min.js`` Vigie runs, :func:`crawler.audit.
load_axe`) into ``reports/_vendor/axe/fr.json``: the site pages show each rule's help in
French from the project that writes the rules, rather than a translation of Vigie's own.
Without it the help is shown as axe gives it, in English, and the report says so.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Pinned versions: the npm package, and the PyPI fallback (which ships DSFR 1.14.4).
DSFR_NPM = "@gouvfr/dsfr"
DSFR_VERSION = "1.15.3"
DJANGO_DSFR_VERSION = "3.6.1"

HERE = Path(__file__).resolve().parent
VENDOR_DIR = HERE / "_vendor" / "dsfr"
STATIC_DIR = HERE / "static"
#: A DSFR ``dist`` folder to use instead of the vendored one (another checkout, a mirror).
ENV_DIR = "VIGIE_DSFR_DIR"

#: Files of DSFR's ``dist/`` that the reports use (icons go inside the stylesheet).
STYLESHEET = "dsfr.min.css"
_WANTED = re.compile(r"^(dsfr\.min\.css|LICENSE\.md|favicon/favicon\.svg|fonts/[^/]+\.woff2?)$")
_CSS_SVG_URL = re.compile(r"url\(\s*['\"]?(?!data:)([^'\")?#]+\.svg)['\"]?\s*\)")

#: Where the ``dist`` folder sits inside each source archive.
_NPM_PREFIX = "package/dist/"
_WHEEL_PREFIX = "dsfr/static/dsfr/dist/"


#: axe-core's French texts: where they are kept, and the variable that points elsewhere.
AXE_NPM = "axe-core"
AXE_LOCALE_DIR = HERE / "_vendor" / "axe"
AXE_LOCALE_FILE = "fr.json"
AXE_LOCALE_ENV = "VIGIE_AXE_LOCALE"
AXE_LOCALE_WARNING = (
    "textes français d'axe-core absents : l'aide des règles d'accessibilité est affichée en "
    "anglais. Installez-les avec « python -m reports.assets fetch » (fait par make ; npm requis)."
)


class AssetsError(RuntimeError):
    """The DSFR could not be fetched (no registry client, no network, unexpected archive)."""


@dataclass(frozen=True, slots=True)
class CopiedAssets:
    """What :func:`copy_assets` wrote: whether the DSFR is there, and a warning if not."""

    dsfr: bool
    dsfr_version: str | None
    warning: str | None


def locate_dsfr() -> Path | None:
    """The DSFR ``dist`` folder to copy beside the reports, or ``None`` when not set up."""
    candidates = [Path(p) for p in [os.environ.get(ENV_DIR)] if p] + [VENDOR_DIR]
    for folder in candidates:
        if (folder / STYLESHEET).is_file():
            return folder
    return None


def dsfr_version(folder: Path) -> str | None:
    """The version written in the stylesheet's banner (``DSFR v1.15.3``)."""
    with (folder / STYLESHEET).open(encoding="utf-8", errors="replace") as handle:
        match = re.search(r"DSFR v(\d+\.\d+\.\d+)", handle.read(400))
    return match[1] if match else None


MISSING_WARNING = (
    "styles du Système de design de l'État (DSFR) absents : rapports écrits avec le style "
    "de secours. Installez-les avec « python -m reports.assets fetch » (fait par make)."
)


def copy_assets(out_dir: Path) -> CopiedAssets:
    """Copy Vigie's CSS/JS to ``out_dir/assets`` and the DSFR to ``out_dir/dsfr``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(STATIC_DIR, out_dir / "assets", dirs_exist_ok=True)
    source = locate_dsfr()
    if source is None:
        return CopiedAssets(dsfr=False, dsfr_version=None, warning=MISSING_WARNING)
    shutil.copytree(
        source,
        out_dir / "dsfr",
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".gitignore", "*.map"),
    )
    return CopiedAssets(dsfr=True, dsfr_version=dsfr_version(source), warning=None)


# -- fetch ------------------------------------------------------------------------------


def _safe_relative(name: str) -> PurePosixPath | None:
    """``name`` as a relative path that cannot leave the destination, else ``None``."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return None
    return path


def _inline_svgs(css: str, members: dict[str, bytes]) -> str:
    """Put the SVG icons the stylesheet points to inside it, as ``data:`` URIs.

    Why: the DSFR draws its icons with CSS ``mask-image``, which Chromium fetches in CORS
    mode, and a page opened from disk (``file://``) has no origin to grant: every icon
    would be blocked. Inlined, they need no request at all (the CSP allows ``data:``).
    """

    def replace(match: re.Match[str]) -> str:
        ref = match[1].strip()
        data = members.get(ref)
        if data is None or not ref.endswith(".svg"):
            return match[0]
        return 'url("data:image/svg+xml;base64,' + base64.b64encode(data).decode("ascii") + '")'

    return _CSS_SVG_URL.sub(replace, css)


def _select(members: dict[str, bytes]) -> dict[PurePosixPath, bytes]:
    """The wanted files of a ``dist`` listing, the stylesheet with its icons inlined."""
    chosen: dict[PurePosixPath, bytes] = {}
    for name, data in members.items():
        rel = _safe_relative(name)
        if rel is not None and _WANTED.match(str(rel)):
            chosen[rel] = data
    css = members.get(STYLESHEET)
    if css is None:
        raise AssetsError(f"archive DSFR sans {STYLESHEET}")
    inlined = _inline_svgs(css.decode("utf-8"), members)
    chosen[PurePosixPath(STYLESHEET)] = inlined.encode("utf-8")
    return chosen


def _tar_members(archive: Path, prefix: str) -> dict[str, bytes]:
    """Files under ``prefix`` of an npm tarball, plus the package's LICENSE.md."""
    license_name = prefix.rsplit("dist/", 1)[0] + "LICENSE.md"
    out: dict[str, bytes] = {}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            if member.name.startswith(prefix):
                name = member.name[len(prefix) :]
            elif member.name == license_name:
                name = "LICENSE.md"
            else:
                continue
            handle = tar.extractfile(member)
            if handle is not None:
                out[name] = handle.read()
    return out


def _zip_members(archive: Path, prefix: str) -> dict[str, bytes]:
    with zipfile.ZipFile(archive) as wheel:
        return {
            name[len(prefix) :]: wheel.read(name)
            for name in wheel.namelist()
            if name.startswith(prefix) and not name.endswith("/")
        }


def _run(command: list[str], cwd: Path) -> str:
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AssetsError(f"{command[0]} : {exc}") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise AssetsError(f"« {' '.join(command)} » a échoué : {' '.join(tail)}")
    return proc.stdout


def _from_npm(work: Path) -> tuple[dict[str, bytes], str]:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError("npm introuvable")
    spec = f"{DSFR_NPM}@{DSFR_VERSION}"
    _run([npm, "pack", spec, "--silent", "--pack-destination", str(work)], cwd=work)
    archives = sorted(work.glob("*.tgz"))
    if not archives:
        raise AssetsError(f"npm pack {spec} n'a produit aucune archive")
    return _tar_members(archives[0], _NPM_PREFIX), f"npm {spec}"


def _from_pypi(work: Path) -> tuple[dict[str, bytes], str]:
    spec = f"django-dsfr=={DJANGO_DSFR_VERSION}"
    _run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
        + ["--dest", str(work), spec],
        cwd=work,
    )
    wheels = sorted(work.glob("django_dsfr-*.whl"))
    if not wheels:
        raise AssetsError(f"pip download {spec} n'a produit aucun wheel")
    return _zip_members(wheels[0], _WHEEL_PREFIX), f"PyPI {spec}"


SOURCES = {"npm": _from_npm, "pypi": _from_pypi}


def _sources(choice: str) -> Iterator[str]:
    if choice != "auto":
        yield choice
        return
    if shutil.which("npm"):
        yield "npm"
    yield "pypi"


def install(files: dict[PurePosixPath, bytes], origin: str, dest: Path) -> None:
    """Replace ``dest`` with ``files`` (written to a sibling first: never half a DSFR)."""
    staging = dest.with_name(dest.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    for rel, data in files.items():
        target = staging.joinpath(*rel.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (staging / "SOURCE.txt").write_text(origin + "\n", encoding="utf-8")
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(dest)
    # The vendor folder is never committed, whoever's .gitignore is in force.
    (dest.parent / ".gitignore").write_text("*\n", encoding="utf-8")


def fetch(source: str = "auto", dest: Path = VENDOR_DIR, force: bool = False) -> Path:
    """Fetch the pinned DSFR into ``dest`` (nothing to do when already there)."""
    if not force and (dest / STYLESHEET).is_file():
        return dest
    problems: list[str] = []
    for name in _sources(source):
        with tempfile.TemporaryDirectory(prefix="vigie-dsfr-") as tmp:
            try:
                members, origin = SOURCES[name](Path(tmp))
                files = _select(members)
            except AssetsError as exc:
                problems.append(f"{name} : {exc}")
                continue
        install(files, origin, dest)
        return dest
    raise AssetsError("DSFR non récupéré — " + " ; ".join(problems))


# -- axe-core's French texts ----------------------------------------------------------------


def axe_version() -> str:
    """The version of the axe-core Vigie runs (the header of its ``axe.min.js``)."""
    from crawler.audit import AuditSetupError, load_axe

    try:
        return load_axe().version
    except AuditSetupError as exc:
        raise AssetsError(str(exc)) from exc


def fetch_axe_locale(
    version: str | None = None, dest: Path = AXE_LOCALE_DIR, force: bool = False
) -> Path:
    """Fetch ``locales/fr.json`` of the npm package ``axe-core`` at ``version`` (default:
    the one Vigie runs) into ``dest`` (nothing to do when that version is already there)."""
    version = version or axe_version()
    target = dest / AXE_LOCALE_FILE
    source = dest / "SOURCE.txt"
    spec = f"{AXE_NPM}@{version}"
    fetched = source.is_file() and source.read_text(encoding="utf-8").strip() == f"npm {spec}"
    if not force and target.is_file() and fetched:
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError("npm introuvable")
    with tempfile.TemporaryDirectory(prefix="vigie-axe-") as tmp:
        work = Path(tmp)
        _run([npm, "pack", spec, "--silent", "--pack-destination", str(work)], cwd=work)
        archives = sorted(work.glob("*.tgz"))
        if not archives:
            raise AssetsError(f"npm pack {spec} n'a produit aucune archive")
        with tarfile.open(archives[0], "r:gz") as tar:
            try:
                handle = tar.extractfile(f"package/locales/{AXE_LOCALE_FILE}")
            except KeyError:
                handle = None
            if handle is None:
                raise AssetsError(f"{spec} sans locales/{AXE_LOCALE_FILE}")
            data = handle.read()
    try:
        rules = json.loads(data)["rules"]
    except (ValueError, KeyError, TypeError) as exc:
        raise AssetsError(f"{spec} : locales/{AXE_LOCALE_FILE} illisible ({exc})") from exc
    if not isinstance(rules, dict) or not rules:
        raise AssetsError(f"{spec} : locales/{AXE_LOCALE_FILE} sans règles")
    dest.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    source.write_text(f"npm {spec}\n", encoding="utf-8")
    (dest.parent / ".gitignore").write_text("*\n", encoding="utf-8")
    return target


def locate_axe_locale() -> Path | None:
    """The axe-core French texts to use, or ``None`` when not set up."""
    candidates = [Path(p) for p in [os.environ.get(AXE_LOCALE_ENV)] if p]
    candidates.append(AXE_LOCALE_DIR / AXE_LOCALE_FILE)
    return next((p for p in candidates if p.is_file()), None)


def _human_size(paths: Iterable[Path]) -> str:
    total = sum(p.stat().st_size for p in paths if p.is_file())
    return f"{total / 1e6:.1f} Mo"


def main(argv: list[str] | None = None) -> int:
    """``python -m reports.assets fetch|where``: the set-up step of the reports' styles."""
    parser = argparse.ArgumentParser(
        prog="python -m reports.assets",
        description="Récupère le Système de design de l'État (DSFR) pour les rapports HTML.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    get = sub.add_parser("fetch", help=f"récupérer {DSFR_NPM} {DSFR_VERSION} (npm ou PyPI)")
    get.add_argument("--source", choices=("auto", *SOURCES), default="auto")
    get.add_argument("--force", action="store_true", help="récupérer même s'il est déjà là")
    sub.add_parser("where", help="afficher le dossier DSFR utilisé")
    axe = sub.add_parser(
        "fetch-axe-locale", help="récupérer seulement les textes français d'axe-core (npm)"
    )
    axe.add_argument("--force", action="store_true", help="récupérer même s'ils sont déjà là")
    args = parser.parse_args(argv)
    if args.command == "fetch-axe-locale":
        return _fetch_axe_locale(args.force, required=True)
    if args.command == "where":
        folder = locate_dsfr()
        if folder is None:
            print(MISSING_WARNING, file=sys.stderr)
            return 1
        print(folder)
        return 0
    try:
        folder = fetch(args.source, force=args.force)
    except AssetsError as exc:
        print(f"vigie : erreur : {exc}", file=sys.stderr)
        return 1
    origin = (folder / "SOURCE.txt").read_text(encoding="utf-8").strip()
    size = _human_size(folder.rglob("*"))
    print(f"DSFR {dsfr_version(folder)} prêt dans {folder} ({origin}, {size})")
    return _fetch_axe_locale(args.force, required=False)


def _fetch_axe_locale(force: bool, required: bool) -> int:
    """Fetch axe-core's French texts; without them the reports fall back to English, so a
    failure is an error only when they were asked for alone."""
    try:
        path = fetch_axe_locale(force=force)
    except AssetsError as exc:
        print(
            f"vigie : {'erreur' if required else 'attention'} : {exc} ; {AXE_LOCALE_WARNING}",
            file=sys.stderr,
        )
        return 1 if required else 0
    origin = (path.parent / "SOURCE.txt").read_text(encoding="utf-8").strip()
    print(f"Textes français d'axe-core prêts dans {path} ({origin})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
