"""The calls' files in an S3-compatible bucket (``CALLS_STORAGE=s3``), against moto's
in-process S3: stored private in the bucket, never under the local folder, served only
through the views that check the right to them; and the setting's own rules."""

import boto3
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws

from calls.models import Attachment, CallDocument
from calls.services import applications as services
from calls.services import calls as call_services
from calls.tests.apply_helpers import PDF, make_pole, upload
from config.settings import calls_storage

BUCKET = "ptce-appels"
REGION = "eu-west-3"
S3_ENV = {
    "CALLS_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": BUCKET,
    "AWS_S3_REGION_NAME": REGION,
    "AWS_S3_ACCESS_KEY_ID": "cle-de-test",
    "AWS_S3_SECRET_ACCESS_KEY": "secret-de-test",
}


@pytest.fixture
def bucket(settings, tmp_path, monkeypatch):
    """moto's S3 with an empty bucket, and STORAGES["calls"] as CALLS_STORAGE=s3 makes it;
    the local folder the tests would otherwise use is watched for any file."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        s3 = boto3.client(
            "s3",
            region_name=REGION,
            aws_access_key_id="cle-de-test",
            aws_secret_access_key="secret-de-test",
        )
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        settings.STORAGES = {**settings.STORAGES, "calls": calls_storage(S3_ENV)}
        yield s3


def _objects(s3) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listed}


def _private(s3, key) -> bool:
    """Only the owner has a grant on the object: no AllUsers, no AuthenticatedUsers."""
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    return [g["Permission"] for g in grants] == ["FULL_CONTROL"] and all(
        g["Grantee"]["Type"] == "CanonicalUser" for g in grants
    )


@pytest.fixture
def manager(user):
    return user("gestionnaire")


@pytest.fixture
def draft(call, manager):
    pole = make_pole("Pôle Sud Archer", managers=[manager])
    return services.application_start(call=call(), pole=pole, actor=manager)


def _url(application, tail=""):
    return f"/appels/{application.call.slug}/candidature/{application.pk}/{tail}"


def test_an_attachment_goes_to_the_bucket_private_and_is_served_only_through_the_view(
    bucket, client, draft, manager, user, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    response = client.post(_url(draft, "pieces/"), {"file": upload(PDF, "Budget 2026.pdf")})
    assert response.status_code == 302
    attachment = Attachment.objects.get(application=draft)
    # in the bucket, under the prefix, by an unguessable name (never the person's)
    key = f"calls/{attachment.file.name}"
    assert _objects(bucket) == {key: PDF}
    assert key.startswith(f"calls/applications/{draft.pk}/") and "Budget" not in key
    assert _private(bucket, key)
    # a signed link, if one were ever given, downloads the file, never shows it inline
    assert bucket.head_object(Bucket=BUCKET, Key=key)["ContentDisposition"] == "attachment"
    assert not (tmp_path / "calls").exists()  # nothing written to the local folder
    url = _url(draft, f"pieces/{attachment.pk}/")
    # the pole's manager downloads it through the view, never inline
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    # another pole's manager: not known; anonymous: to the login page
    other = user("autre")
    make_pole("Pôle voisin", managers=[other])
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/compte/connexion/" in response.url
    # removed from the draft: removed from the bucket
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(draft, f"pieces/{attachment.pk}/retirer/"))
    assert _objects(bucket) == {}


def test_a_submission_hashes_the_file_read_back_from_the_bucket(bucket, draft, manager):
    from calls.models import Question

    question = Question.objects.get(section__call=draft.call)
    draft = services.application_save_draft(
        application=draft,
        data={
            "project_title": "Projet",
            "summary": "Résumé",
            "amount_requested": "1000",
            f"q{question.pk}": "Texte",
        },
        version=draft.version,
        actor=manager,
    )
    attachment = services.attachment_add(application=draft, upload=upload(PDF), actor=manager)
    submitted = services.application_submit(
        application=draft, version=draft.version + 1, actor=manager
    )
    assert submitted.status == "submitted"
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    # the receipt is built from the rows when it is sent or asked for: nothing stored
    assert list(_objects(bucket)) == [f"calls/{attachment.file.name}"]


def test_a_call_document_goes_to_the_bucket_and_the_public_page_serves_it(
    bucket, call, client, user
):
    the_call = call()
    document = call_services.calldocument_add(
        call=the_call,
        actor=user("responsable"),
        title="Cahier des charges",
        upload=SimpleUploadedFile("cahier.pdf", PDF, content_type="application/pdf"),
    )
    key = f"calls/{document.file.name}"
    assert _objects(bucket) == {key: PDF}
    assert _private(bucket, key)
    response = client.get(f"/appels/{the_call.slug}/documents/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert CallDocument.objects.count() == 1


def test_a_link_the_storage_makes_is_signed_and_short_lived(bucket, draft, manager):
    attachment = services.attachment_add(application=draft, upload=upload(PDF), actor=manager)
    link = attachment.file.url
    assert "X-Amz-Signature=" in link and "X-Amz-Expires=300" in link


def test_local_files_stay_the_default():
    storage = calls_storage({})
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["base_url"] is None
    assert storage["OPTIONS"]["location"].name == "calls"


def test_the_s3_setting_is_private_signed_and_needs_a_bucket():
    options = calls_storage(S3_ENV | {"AWS_S3_ENDPOINT_URL": "https://s3.example.org"})["OPTIONS"]
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["custom_domain"] is None
    assert options["endpoint_url"] == "https://s3.example.org"
    assert options["location"] == "calls"
    with pytest.raises(ImproperlyConfigured, match="AWS_STORAGE_BUCKET_NAME"):
        calls_storage({"CALLS_STORAGE": "s3"})
    with pytest.raises(ImproperlyConfigured, match="CALLS_STORAGE"):
        calls_storage({"CALLS_STORAGE": "ftp"})


@pytest.mark.parametrize("seconds", ["0", "-5", "²", "1e3", "9999999", "abc", ""])
def test_the_signed_links_lifetime_must_be_a_whole_number_of_seconds(seconds):
    with pytest.raises(ImproperlyConfigured, match="CALLS_STORAGE_URL_SECONDS"):
        calls_storage(S3_ENV | {"CALLS_STORAGE_URL_SECONDS": seconds})
    assert (
        calls_storage(S3_ENV | {"CALLS_STORAGE_URL_SECONDS": " 60 "})["OPTIONS"][
            "querystring_expire"
        ]
        == 60
    )
