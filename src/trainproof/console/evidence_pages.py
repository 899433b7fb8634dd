"""The Evidence page: build a training's pack (as `trainproof evidence --training T` does) and verify an
uploaded one (as `trainproof evidence verify PACK.zip --public-key KEY` does, with this installation's key).

Verifying reads the upload and the public half of this installation's signing key, and changes nothing:
no store row, no file but the upload's own temporary copy, and no key is created when there is none. So a
read-only console (an auditor's) verifies too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from trainproof.console.pages import as_of_asked
from trainproof.console.rendering import respond
from trainproof.console.state import state_of
from trainproof.console.upload import receive_file

__all__ = ["MAX_PACK_BYTES", "evidence", "evidence_pack", "evidence_verify"]

MAX_PACK_BYTES = 512 << 20
"""The largest pack the page takes. A pack holds one PDF certificate per compliant person, about 3 kB
compressed with its manifest lines, so 512 MB fits some 150,000 people, and a runaway upload stops there."""


def evidence(request: Request) -> Response:
    """The trainings whose evidence pack can be built, and the form that verifies a pack."""
    from trainproof.judging import configured_trainings

    st = state_of(request)
    trainings = [{"training": t.key, "title": t.title} for t in configured_trainings(st.settings).trainings]
    context = {"title": "Evidence", "trainings": trainings, "max_mb": MAX_PACK_BYTES >> 20}
    return respond(request, "evidence.html", context, {"trainings": trainings})


def evidence_pack(request: Request) -> Response:
    """Build the pack in a private temporary folder and send it; the folder goes once it is sent."""
    from trainproof.evidence_pack import build_training_pack
    from trainproof.store.integrity import require_intact

    st = state_of(request)
    training = str(request.path_params["training"])
    require_intact(st.engine)  # as `trainproof evidence` does: no evidence from a damaged store
    folder = Path(tempfile.mkdtemp(prefix="trainproof-pack-"))
    try:
        out = folder / f"evidence-{training}.zip"
        built = build_training_pack(st.engine, st.settings, training=training, out=out, as_of=as_of_asked(request))
    except BaseException:
        _remove(folder)
        raise
    return FileResponse(
        built.path,
        media_type="application/zip",
        filename=built.path.name,
        headers={"x-manifest-sha256": built.fingerprint, "x-signing-key": built.key_id},
        background=BackgroundTask(_remove, folder),
    )


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


def _verify(state_dir: Path, pack: Path) -> dict[str, Any]:
    """`verify_pack` against this installation's public key (none yet: consistency only, as the CLI
    without --public-key), as the JSON twin gives it."""
    from trainproof.evidence import verify_pack
    from trainproof.evidence.signing import installed_public_key, key_id

    public = installed_public_key(state_dir)
    result = verify_pack(pack, public_key=public)
    return {
        "file": pack.name,
        "ok": result.ok,
        "key": None if public is None else key_id(public),
        "fingerprint": result.fingerprint,
        "files_checked": result.files_checked,
        "signed_by": result.signed_by,
        "verified_key": result.verified_key,
        "problems": [{"path": p.path, "kind": p.kind, "detail": p.detail} for p in result.problems],
        "lines": result.lines(),
        "todo": None if result.ok else result.todo,
    }


async def evidence_verify(request: Request) -> Response:
    """Check an uploaded pack: every file against manifest.json, and the signature against this
    installation's key; the lines `trainproof evidence verify` prints say what that proves."""
    st = state_of(request)
    upload = await receive_file(request, "pack", limit=MAX_PACK_BYTES, default_name="pack.zip")
    try:
        state_dir = await run_in_threadpool(lambda: st.settings.state_dir)
        verified = await run_in_threadpool(_verify, state_dir, upload.path)
    finally:
        upload.remove()
    return respond(request, "evidence_verified.html", {"title": "Evidence pack checked", "v": verified}, verified)
