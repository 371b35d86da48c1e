"""Uploaded files live outside the static root and are served only by views that check permission.

Content and size checks of each upload are tested with the upload forms (tests/<app>/test_files.py,
tests/commendations/test_dossiers.py); which roles get which file is in tests/test_url_matrix.py
(every download URL answers 404 to another unit's users).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import Resolver404, resolve, reverse

from tests.test_url_matrix import PAGES

# The URLs that hand out stored files, each through portal.files.file_response after a scope check.
DOWNLOAD_URLS = {
    "office:task_output_file", "office:progress_attachment", "office:petition_answer_file",
    "emulation:evidence_file", "commendations:document_download", "reports:job_pdf", "reports:job_excel",
}


CONTENT = b"the-stored-bytes-7f3a"


def _inside(child: Path, parent: Path) -> bool:
    return child.resolve().is_relative_to(parent.resolve())


def test_media_root_is_outside_every_static_folder():
    from portal import settings as production

    media, static_root = Path(production.MEDIA_ROOT), Path(production.STATIC_ROOT)
    assert not _inside(media, static_root) and not _inside(static_root, media)
    for folder in production.STATICFILES_DIRS:
        assert not _inside(media, Path(folder)) and not _inside(Path(folder), media)


def test_no_url_serves_the_media_folder():
    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL + "commendations/dossiers/2025/1/to-trinh.pdf")
    with pytest.raises(Resolver404):
        resolve(settings.MEDIA_URL)


@pytest.mark.django_db
def test_a_stored_file_is_not_reachable_by_its_path(client, users):
    name = default_storage.save("commendations/dossiers/2025/secret.pdf", ContentFile(b"%PDF-1.4 " + CONTENT))
    client.force_login(users.admin)
    for url in (settings.MEDIA_URL + name, settings.STATIC_URL + name, "/" + name):
        response = client.get(url)
        assert response.status_code == 404, url
        assert CONTENT not in response.content


def test_download_views_go_through_file_response_and_are_in_the_matrix():
    """Each download URL is checked for the other unit's 404 by the URL matrix."""
    import inspect

    assert {name for name, page in PAGES.items() if page.scoped} >= DOWNLOAD_URLS
    for name in DOWNLOAD_URLS:
        match = resolve(reverse(name, kwargs=_dummy_kwargs(name)))
        view = getattr(match.func, "view_class", match.func)
        assert "file_response" in inspect.getsource(inspect.getmodule(view)), name


def _dummy_kwargs(name):
    return {"pk": 1, "document_pk": 1} if name == "commendations:document_download" else {"pk": 1}
