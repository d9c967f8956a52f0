"""Great Expectations' Data Docs that work offline, and quality results that do not grow forever.

GX's pages load Bootstrap, bootstrap-table, Vega and friends from public CDNs, so on a machine
without internet they show empty tables. `make_offline` copies the same files from the repo's own
locked npm dependencies (`expectations/vendor/package-lock.json`, installed once per lock into the
user's cache with `npm ci`) into the site and points every page at them.

`prune_validations` keeps the newest `keep` validation results of a suite, plus its newest failing
one, and removes the rest with their pages (it runs before a suite is validated, so the index the
checkpoint rebuilds lists only what is kept).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..settings import PROJECT_DIR, cache_dir

VENDOR = PROJECT_DIR / "expectations" / "vendor"

# CDN address -> file under node_modules (copied to static/vendor/<same path>)
ASSETS = {
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "@fortawesome/fontawesome-free/css/all.min.css",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap/dist/js/bootstrap.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": "bootstrap-table/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js/dist/umd/popper.min.js",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
}  # fmt: skip
FOLDERS = ["@fortawesome/fontawesome-free/webfonts"]  # what all.min.css loads (../webfonts/)
LOGO = re.compile(r"https://great-expectations-web-assets\.s3[^\"']*?logo-long\.png[^\"']*")
ATTRIBUTE = re.compile(r'(src|href)="(https?://[^"]+)"')


class OfflineAssetsMissing(RuntimeError):
    pass


def node_modules() -> Path:
    """The locked packages, installed once per lock file into the cache (npm ci, no scripts)."""
    lock = VENDOR / "package-lock.json"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    target = cache_dir() / "data-docs-assets" / digest
    if (target / "node_modules" / ".callmart-complete").exists():
        return target / "node_modules"
    npm = shutil.which("npm")
    if npm is None:
        raise OfflineAssetsMissing(
            "npm is not installed: Data Docs keep their CDN links (they need internet)"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="npm-", dir=target.parent))
    shutil.copy(VENDOR / "package.json", scratch)
    shutil.copy(lock, scratch)
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]
    done = subprocess.run(command, cwd=scratch, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        raise OfflineAssetsMissing(f"npm ci failed: {done.stderr[-1000:]}")
    (scratch / "node_modules" / ".callmart-complete").write_text(digest)
    if target.exists():
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        scratch.rename(target)
    return target / "node_modules"


def make_offline(site: Path) -> int:
    """Copy the assets into site/static/vendor and rewrite every page to them; returns pages changed."""
    if not (site / "index.html").exists():
        return 0
    vendor = site / "static" / "vendor"
    if not (vendor / ".complete").exists():
        modules = node_modules()
        for relative in [*ASSETS.values(), *FOLDERS]:
            source, target = modules / relative, vendor / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                shutil.copyfile(source, target)
        (vendor / ".complete").write_text("ok")
    changed = 0
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "https://" not in text:
            continue
        static = os.path.relpath(site / "static", page.parent)
        rewritten = ATTRIBUTE.sub(lambda match, static=static: _local(match, static), text)
        if rewritten != text:
            page.write_text(rewritten, encoding="utf-8")
            changed += 1
    return changed


def _local(match: re.Match[str], static: str) -> str:
    attribute, url = match.group(1), match.group(2)
    if url in ASSETS:
        return f'{attribute}="{static}/vendor/{ASSETS[url]}"'
    if LOGO.fullmatch(url):
        return f'{attribute}="{static}/images/logo-long.png"'
    return match.group(0)  # a plain link (GX's docs, the newsletter): nothing is fetched


def prune_validations(gx_root: Path, suite: str, keep: int) -> int:
    """Keep the newest `keep` - 1 results of `suite` (the run about to validate adds one) and its
    newest failing one; remove the others and their Data Docs pages. Returns how many went."""
    store = gx_root / "gx" / "uncommitted" / "validations" / suite
    if not store.is_dir():
        return 0
    results = sorted(store.rglob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    kept = set(results[: max(keep - 1, 0)])
    for result in results:
        try:
            if not json.loads(result.read_text()).get("success", True):
                kept.add(result)
                break
        except (OSError, ValueError):
            continue
    removed = 0
    pages = gx_root / "gx" / "uncommitted" / "data_docs" / "local_site" / "validations"
    for result in results:
        if result in kept:
            continue
        relative = result.relative_to(gx_root / "gx" / "uncommitted" / "validations")
        result.unlink()
        (pages / relative).with_suffix(".html").unlink(missing_ok=True)
        removed += 1
    for folder in sorted(
        (p for p in store.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True
    ):
        if not any(folder.iterdir()):
            folder.rmdir()
    return removed


class _CompiledTemplates:
    """A jinja bytecode cache shared by every GX page renderer of this process. GX's renderer makes a
    jinja environment of its own for each page it renders, and so compiles its templates again each
    time: 54 templates, 0.33 s of the 0.45 s a suite's Data Docs update took. Their compiled code,
    kept here by template and source checksum, is the same for every renderer."""

    def __init__(self) -> None:
        import jinja2

        class Cache(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.code: dict[str, bytes] = {}

            def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                if bucket.key in self.code:
                    bucket.bytecode_from_string(self.code[bucket.key])

            def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                self.code[bucket.key] = bucket.bytecode_to_string()

        self.cache = Cache()


_shared: _CompiledTemplates | None = None


def share_compiled_templates() -> None:
    """Have GX's page renderers share one bytecode cache (once per process, after GX is imported)."""
    global _shared
    if _shared is not None:
        return
    from great_expectations.render.view.view import DefaultJinjaView

    _shared = _CompiledTemplates()
    original = DefaultJinjaView.__init__

    def init(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        self.env.bytecode_cache = _shared.cache  # type: ignore[union-attr]

    DefaultJinjaView.__init__ = init  # type: ignore[method-assign]
